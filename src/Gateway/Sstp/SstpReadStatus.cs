namespace Gateway.Sstp;

/// <summary>Outcome of <see cref="SstpFrameReader.TryReadPacket"/>.</summary>
public enum SstpReadStatus
{
    /// <summary>The buffer holds no complete packet yet; nothing was consumed.</summary>
    NeedMoreData,
    /// <summary>One complete packet was read and consumed from the buffer.</summary>
    Packet,
    /// <summary>Framing failed ([MS-SSTP] 3.1.5.1: drop the connection without sending anything).</summary>
    Error,
}

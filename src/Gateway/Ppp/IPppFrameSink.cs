namespace Gateway.Ppp;

/// <summary>
/// Where a PPP engine puts the frames it sends. The SSTP layer implements it by wrapping each frame in one
/// SSTP data packet (MS-SSTP 2.2.3); there is no HDLC framing on SSTP (no flags, no escaping, no FCS).
/// </summary>
public interface IPppFrameSink
{
    /// <summary>
    /// Sends one complete PPP frame: <c>FF 03</c>, the 2-byte protocol, then the information field.
    /// The span is only valid for the duration of the call.
    /// </summary>
    void SendFrame(ReadOnlySpan<byte> frame);
}

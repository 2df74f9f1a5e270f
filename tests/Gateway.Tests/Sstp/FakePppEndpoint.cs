using Gateway.Ppp;

namespace Gateway.Tests.Sstp;

/// <summary>A scripted PPP endpoint: records what the SSTP session does to it and answers as configured.</summary>
internal sealed class FakePppEndpoint : IPppEndpoint
{
    public IPppFrameSink? Sink { get; set; }

    public List<byte[]> Received { get; } = [];

    public int LowerUpCount { get; private set; }

    public int LowerDownCount { get; private set; }

    public bool IsUp { get; private set; }

    public string? CloseReason { get; private set; }

    public int TimerRuns { get; private set; }

    /// <summary>Frame to send through the sink on LowerUp (like an LCP Configure-Request).</summary>
    public byte[]? SendOnLowerUp { get; set; }

    /// <summary>When true, Close terminates immediately (otherwise only after <see cref="Terminate"/>).</summary>
    public bool TerminateOnClose { get; set; }

    /// <summary>Answer for Receive; default: IPv4 for protocol 0x0021, IPv6 for 0x0057, else Consumed.</summary>
    public Func<byte[], PppReceiveResult>? OnReceive { get; set; }

    public long NextDeadlineMs { get; set; } = long.MaxValue;

    public bool IsTerminated { get; set; }

    public void LowerUp(long nowMs)
    {
        LowerUpCount++;
        IsUp = true;
        if (SendOnLowerUp is not null)
        {
            Sink!.SendFrame(SendOnLowerUp);
        }
    }

    public void LowerDown()
    {
        LowerDownCount++;
        IsUp = false;
        IsTerminated = true;
    }

    public PppReceiveResult Receive(ReadOnlySpan<byte> frame, long nowMs)
    {
        byte[] copy = frame.ToArray();
        Received.Add(copy);
        if (OnReceive is not null)
        {
            return OnReceive(copy);
        }

        int offset = copy.Length >= 2 && copy[0] == 0xFF && copy[1] == 0x03 ? 2 : 0;
        if (copy.Length < offset + 2)
        {
            return PppReceiveResult.Dropped;
        }

        int protocolLength = (copy[offset] & 1) != 0 ? 1 : 2;
        int protocol = protocolLength == 1 ? copy[offset] : (copy[offset] << 8) | copy[offset + 1];
        int payload = offset + protocolLength;
        return protocol switch
        {
            0x21 => new PppReceiveResult(PppReceiveKind.IPv4, payload, copy.Length - payload),
            0x57 => new PppReceiveResult(PppReceiveKind.IPv6, payload, copy.Length - payload),
            _ => PppReceiveResult.Consumed,
        };
    }

    public void OnTimer(long nowMs) => TimerRuns++;

    public void Close(string reason, long nowMs)
    {
        CloseReason = reason;
        Sink!.SendFrame([0xFF, 0x03, 0xC0, 0x21, 0x05, 0x01, 0x00, 0x04]); // LCP Terminate-Request
        if (TerminateOnClose)
        {
            IsTerminated = true;
        }
    }

    public void Terminate() => IsTerminated = true;
}

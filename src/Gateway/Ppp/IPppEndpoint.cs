namespace Gateway.Ppp;

/// <summary>
/// One side of a PPP link as the carrier (SSTP) sees it. Pure: no I/O and no clock; time comes in as
/// monotonic milliseconds. Frames to the peer go out through the <see cref="IPppFrameSink"/> given to the
/// implementation.
/// </summary>
public interface IPppEndpoint
{
    /// <summary>The carrier is up (RFC 1661 3.2 "Up" event): start LCP negotiation.</summary>
    void LowerUp(long nowMs);

    /// <summary>The carrier is gone (RFC 1661 "Down"): no frames may be sent any more.</summary>
    void LowerDown();

    /// <summary>
    /// Handles one PPP frame received from the peer (with or without <c>FF 03</c>, 1- or 2-byte protocol).
    /// Control frames are consumed; a network-layer packet is returned as a slice of <paramref name="frame"/>.
    /// </summary>
    PppReceiveResult Receive(ReadOnlySpan<byte> frame, long nowMs);

    /// <summary>Runs due timers (restart timers, authentication timeouts).</summary>
    void OnTimer(long nowMs);

    /// <summary>When <see cref="OnTimer"/> must next run, or <see cref="long.MaxValue"/> when no timer is armed.</summary>
    long NextDeadlineMs { get; }

    /// <summary>Closes the link the graceful way: LCP Terminate-Request (RFC 1661 3.7).</summary>
    void Close(string reason, long nowMs);

    /// <summary>True once LCP reached Closed/Stopped after having been started, or the link was lowered.</summary>
    bool IsTerminated { get; }
}

namespace Gateway.Sstp;

/// <summary>What the caller must do after <see cref="SstpSession.Receive"/>.</summary>
public enum SstpInputKind
{
    /// <summary>Nothing besides flushing the output (the packet was control traffic, or was dropped).</summary>
    None,
    /// <summary>An IPv4 packet for the tunnel at <see cref="SstpInput.Offset"/>/<see cref="SstpInput.Length"/>.</summary>
    IPv4,
    /// <summary>An IPv6 packet for the tunnel at <see cref="SstpInput.Offset"/>/<see cref="SstpInput.Length"/>.</summary>
    IPv6,
    /// <summary>The session is over: flush the output, then close the connection.</summary>
    Close,
}

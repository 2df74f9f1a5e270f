namespace Gateway.Tunnel;

/// <summary>
/// Receives one IP packet read from a TUN queue. The span is a slice of the reader's own buffer: valid only during
/// the call, and writable (the router clamps MSS in place). Called on the reader thread of that queue.
/// </summary>
public delegate void TunPacketHandler(Span<byte> packet);

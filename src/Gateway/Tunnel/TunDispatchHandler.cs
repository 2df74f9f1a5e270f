namespace Gateway.Tunnel;

/// <summary>
/// Like <see cref="TunPacketHandler"/>, and says whether the packet was taken. False means its destination refused it
/// (no route, or the session's bounded queue is full): the reader then drops the rest of the same GSO super-packet
/// without segmenting it, since every segment goes to the same destination, so an overloaded session costs no
/// segmentation work for packets that would be dropped anyway.
/// </summary>
public delegate bool TunDispatchHandler(Span<byte> packet);

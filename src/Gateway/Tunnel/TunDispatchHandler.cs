namespace Gateway.Tunnel;

/// <summary>
/// Like <see cref="TunPacketHandler"/>, and says whether the packet was taken. False means its destination refused it
/// (no route, or the session's bounded queue is full): the reader then drops the rest of the same GSO super-packet
/// without segmenting it, since every segment goes to the same destination, so an overloaded session costs no
/// segmentation work for packets that would be dropped anyway. <paramref name="segmentsAfter"/> says how many segments
/// of the same super-packet follow this one (0 for a plain packet), so that a handler refusing it can count those
/// drops too, under its own reason.
/// </summary>
public delegate bool TunDispatchHandler(Span<byte> packet, int segmentsAfter);

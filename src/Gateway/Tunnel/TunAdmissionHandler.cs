namespace Gateway.Tunnel;

/// <summary>
/// Asked by a TUN reader before it segments a GSO super-packet: would its destination take the segments?
/// <paramref name="superPacket"/> is the whole super-packet (its IP and transport headers are every segment's),
/// <paramref name="segmentLength"/> the length of its first segment and <paramref name="segments"/> how many there
/// are. False drops all of them unsegmented (the handler counts them), so a read for a full session costs the read
/// alone.
/// </summary>
public delegate bool TunAdmissionHandler(ReadOnlySpan<byte> superPacket, int segmentLength, int segments);

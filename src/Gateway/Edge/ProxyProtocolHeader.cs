using System.Net;

namespace Gateway.Edge;

/// <summary>
/// A parsed PROXY protocol header. <see cref="Source"/> is null for LOCAL (v2 health checks), UNKNOWN (v1),
/// UNSPEC and UNIX families: the receiver then keeps the real connection addresses (haproxy proxy-protocol.txt 2.1, 2.2).
/// </summary>
public readonly record struct ProxyProtocolHeader(int Version, bool IsLocal, IPEndPoint? Source, IPEndPoint? Destination);

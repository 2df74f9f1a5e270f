using System.Net;

namespace Gateway.Ppp;

/// <summary>
/// What the host assigns to one session once it is authenticated: the client's IPv4 address, the gateway address
/// announced in our IPCP Configure-Request, DNS servers for RFC 1877 (null = use <see cref="PppOptions.DnsServers"/>,
/// none there either = reject), and optional IPv6CP interface identifiers (0 = random).
/// </summary>
public sealed record PppAddressAssignment(
    IPAddress ClientAddress,
    IPAddress GatewayAddress,
    IPAddress? PrimaryDns = null,
    IPAddress? SecondaryDns = null,
    ulong ClientInterfaceId = 0,
    ulong GatewayInterfaceId = 0);

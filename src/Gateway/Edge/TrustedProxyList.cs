using System.Net;

namespace Gateway.Edge;

/// <summary>Parsed <c>Edge:ProxyProtocol:TrustedProxies</c>; IPv4-mapped IPv6 peers are matched as IPv4.</summary>
internal sealed class TrustedProxyList
{
    private readonly IPNetwork[] _networks;

    public TrustedProxyList(IEnumerable<string> entries)
    {
        var list = new List<IPNetwork>();
        foreach (string raw in entries)
        {
            string entry = raw.Trim();
            if (entry.Length == 0)
            {
                continue;
            }

            if (IPNetwork.TryParse(entry, out IPNetwork network))
            {
                list.Add(network);
            }
            else if (IPAddress.TryParse(entry, out IPAddress? single))
            {
                list.Add(new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                throw new FormatException($"Edge:ProxyProtocol:TrustedProxies: '{entry}' is neither a CIDR block nor an IP address");
            }
        }

        _networks = [.. list];
    }

    public bool IsEmpty => _networks.Length == 0;

    public bool Contains(EndPoint? endPoint)
    {
        if (endPoint is not IPEndPoint ip)
        {
            return false;
        }

        IPAddress address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
        foreach (IPNetwork network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}

using System.Net;

namespace Gateway.Ppp;

/// <summary>What <see cref="PppClient"/> tells its host; raised like <see cref="IPppServerEvents"/>.</summary>
public interface IPppClientEvents
{
    /// <summary>Authentication succeeded (or the server required none: 32 zero bytes). SSTP sends CALL_CONNECTED now.</summary>
    void OnAuthenticated(byte[] hlak);

    void OnAuthenticationFailed(string reason);

    /// <summary>IPCP Opened: our address, the server's address (if announced) and the DNS servers received.</summary>
    void OnNetworkUp(IPAddress address, IPAddress? gateway, IPAddress? primaryDns, IPAddress? secondaryDns);

    void OnNetworkDown();

    void OnIpv6Up(ulong localInterfaceId, ulong peerInterfaceId);

    void OnIpv6Down();

    void OnLinkTerminated(string reason);
}

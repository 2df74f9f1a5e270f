using System.Net;

namespace Gateway.Ppp;

/// <summary>
/// What <see cref="PppServer"/> tells its host. Called synchronously at the end of the <see cref="IPppEndpoint"/>
/// call that caused it (never in the middle of processing), so a handler may call back into the server
/// (e.g. <see cref="PppServer.SetAddresses"/> or <see cref="IPppEndpoint.Close"/>).
/// </summary>
public interface IPppServerEvents
{
    /// <summary>The peer authenticated. <paramref name="hlak"/> is the 32-byte HLAK for SSTP crypto binding (MS-SSTP 3.2.5.2).</summary>
    void OnAuthenticated(string userName, byte[] hlak);

    /// <summary>Authentication failed (or timed out); LCP is being terminated.</summary>
    void OnAuthenticationFailed(string? userName, string reason);

    /// <summary>Network phase reached: call <see cref="PppServer.SetAddresses"/> when an address is allocated.</summary>
    void OnAddressRequired(string userName);

    /// <summary>IPCP Opened: IPv4 packets flow; <paramref name="clientAddress"/> is the negotiated client address.</summary>
    void OnNetworkUp(IPAddress clientAddress);

    /// <summary>IPCP left Opened.</summary>
    void OnNetworkDown();

    /// <summary>IPv6CP Opened with these interface identifiers.</summary>
    void OnIpv6Up(ulong localInterfaceId, ulong peerInterfaceId);

    /// <summary>IPv6CP left Opened.</summary>
    void OnIpv6Down();

    /// <summary>LCP finished (Closed/Stopped) or the carrier went down; raised once.</summary>
    void OnLinkTerminated(string reason);
}

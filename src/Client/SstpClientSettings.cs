using System.Security.Authentication;
using Gateway.Ppp;
using Gateway.Ppp.Auth;
using Gateway.Sstp;

namespace Client;

/// <summary>How <see cref="SstpTunnelClient"/> connects: server, TLS trust, credentials and protocol settings.</summary>
public sealed class SstpClientSettings
{
    /// <summary>Host name or address to connect to.</summary>
    public required string Host { get; init; }

    public int Port { get; init; } = 443;

    /// <summary>TLS server name (SNI and certificate name check); defaults to <see cref="Host"/>.</summary>
    public string? ServerName { get; init; }

    public required string User { get; init; }

    public required string Password { get; init; }

    /// <summary>Methods this client accepts, most preferred first (offered in a Nak when the server asks for another).</summary>
    public IReadOnlyList<AuthMethod> AuthMethods { get; init; } = DefaultAuthMethods;

    /// <summary>MS-CHAPv2 first (it gives the crypto binding a real key), then the others.</summary>
    public static IReadOnlyList<AuthMethod> DefaultAuthMethods { get; } =
        [AuthMethod.MsChapV2, AuthMethod.EapMsChapV2, AuthMethod.ChapMd5, AuthMethod.Pap];

    /// <summary>Accept any server certificate (tests, first contact with a self-signed gateway). The crypto binding still
    /// covers the certificate actually seen.</summary>
    public bool SkipCertificateValidation { get; init; }

    /// <summary>Accept exactly this certificate: hex SHA-256 fingerprint of its DER encoding.</summary>
    public string? PinnedSha256 { get; init; }

    public SslProtocols TlsProtocols { get; init; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>Offer TLS session resumption (tickets / session ids) on reconnects to the same server.</summary>
    public bool AllowTlsResume { get; init; } = true;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public SstpClientOptions Sstp { get; init; } = new();

    public PppClientOptions Ppp { get; init; } = new();

    /// <summary>
    /// Open the TUN device of <see cref="SstpTunnelClient.OpenTun"/> with IFF_VNET_HDR and TUNSETOFFLOAD (as the
    /// gateway's Tunnel:Offload): the kernel then hands over TSO/USO super-packets, which are segmented into SSTP data
    /// packets, and downlink TCP segments of one TLS read are written to it as one super-packet. Falls back to a
    /// plain device when the kernel refuses the offloads.
    /// </summary>
    public bool TunOffload { get; init; } = true;

    /// <summary>Bound of the queue toward the server, in bytes of IP packets.</summary>
    public int SendQueueBytes { get; init; } = 256 * 1024;
}

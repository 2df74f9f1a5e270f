using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Credentials;
using Gateway.Edge;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.ControlPlane;

/// <summary>
/// Once the gateway listens, prints how to connect: the certificate fingerprint (and, for the self-signed one, a .cer
/// file to import on Windows), the Linux sstpc command line, the Windows steps and the project's own client.
/// </summary>
public sealed class ConnectionInstructions(
    IHostApplicationLifetime lifetime,
    ServerCertificateStore certificates,
    EdgeListenerRegistry listeners,
    LocalCredentialStore users,
    IOptions<EdgeOptions> edge,
    IOptions<Tunnel.TunnelOptions> tunnel,
    IConfiguration configuration) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Print);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Print()
    {
        if (edge.Value.HttpOnly)
        {
            return;
        }

        X509Certificate2 cert = certificates.Current;
        string fingerprint = Convert.ToHexString(SHA256.HashData(cert.RawData));
        // This project's client offers TLS 1.3, so with Edge:Tls:Tls13CertificatePath it is served (and pins) that one.
        string? tls13Fingerprint = certificates.CurrentTls13 is { } tls13 ? Convert.ToHexString(SHA256.HashData(tls13.RawData)) : null;
        string tls13Line = tls13Fingerprint is null ? "" : $"\n            Clients offering TLS 1.3 get the certificate of Edge:Tls:Tls13CertificatePath instead:\n                {tls13Fingerprint}";
        string dataDir = UserDirectory.DataDirectory(configuration);
        string cerPath = Path.Combine(dataDir, "gateway-certificate.cer");
        bool selfSigned = cert.SubjectName.RawData.AsSpan().SequenceEqual(cert.IssuerName.RawData);
        if (selfSigned)
        {
            File.WriteAllBytes(cerPath, cert.RawData);
        }

        string host = cert.GetNameInfo(X509NameType.DnsName, false) is { Length: > 0 } dns ? dns : "GATEWAY-HOST";
        int port = listeners.EndPoints(EdgeListenerKind.Service).FirstOrDefault()?.Port ?? 443;
        string target = port == 443 ? host : $"{host}:{port}";
        string user = users.Snapshot().FirstOrDefault()?.UserName ?? "USER";
        Console.WriteLine($"""

            SSTP gateway ready on port {port}. Certificate SHA-256 fingerprint:
                {fingerprint}{(selfSigned ? $"\n            (self-signed; its public part for clients: {cerPath})" : "")}{tls13Line}

            Linux (Debian package sstp-client):
                sudo sstpc --cert-warn --user {user} --password PASSWORD {target} usepeerdns require-mschap-v2 noauth nodefaultroute
              (--cert-warn accepts the self-signed certificate; with a CA-signed one leave it out)
            This project's client:
                sstp-client --server {target} --user {user} --password PASSWORD --pin {tls13Fingerprint ?? fingerprint} --tun sstpc0 --route {tunnel.Value.Ipv4Pool}
            Windows 10/11:
              1. {(selfSigned ? $"Copy {cerPath} to the PC and import it into Local Computer > Trusted Root Certification Authorities\n                 (certlm.msc, or: certutil -addstore Root gateway-certificate.cer as administrator)." : "Nothing to import: the certificate comes from a CA the PC trusts.")}
              2. Settings > Network & internet > VPN > Add VPN: provider Windows (built-in), server name {host}
                 (must match the certificate{(port == 443 ? "" : $"; Windows' SSTP client uses port 443 only, so publish {port} as 443")}),
                 VPN type "Secure Socket Tunneling Protocol (SSTP)", sign-in with user name and password.
              3. The host name must resolve to this gateway; the user's password is the one printed at first start
                 or set with `sstp-gateway user passwd NAME`.

            """);
    }
}

using System.Net;
using System.Net.NetworkInformation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Edge;

/// <summary>
/// The fallback server certificate: RSA-2048 (widest client support, reference sec. 9), CN = host name,
/// SAN = host name, localhost and the host's addresses, EKU serverAuth (Windows checks it, MS-SSTP 3.2.4.1).
/// </summary>
internal static class SelfSignedCertificate
{
    public const string FileName = "edge-selfsigned.pfx";

    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(5 * 365);

    /// <summary>Replace the certificate when less than this is left.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    public static byte[] CreatePfx(string hostName, DateTimeOffset now, out string names)
    {
        var san = new SubjectAlternativeNameBuilder();
        var nameList = new List<string> { hostName };
        san.AddDnsName(hostName);
        if (!string.Equals(hostName, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            san.AddDnsName("localhost");
            nameList.Add("localhost");
        }

        foreach (IPAddress address in HostAddresses())
        {
            san.AddIpAddress(address);
            nameList.Add(address.ToString());
        }

        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(hostName);

        using RSA rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject.Build(), rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(san.Build());

        using X509Certificate2 certificate = request.CreateSelfSigned(now.AddDays(-1), now.Add(Lifetime));
        names = string.Join(", ", nameList);
        return certificate.Export(X509ContentType.Pfx);
    }

    private static List<IPAddress> HostAddresses()
    {
        var result = new List<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback };
        try
        {
            foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (UnicastIPAddressInformation unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    IPAddress address = unicast.Address;
                    if (address.IsIPv6LinkLocal || result.Contains(address))
                    {
                        continue;
                    }

                    if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.ScopeId != 0)
                    {
                        address = new IPAddress(address.GetAddressBytes());
                    }

                    result.Add(address);
                }
            }
        }
        catch (NetworkInformationException)
        {
            // Loopback only; the host name SAN still works.
        }

        return result;
    }
}

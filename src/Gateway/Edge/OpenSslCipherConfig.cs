using System.Runtime.InteropServices;

namespace Gateway.Edge;

/// <summary>
/// Puts the service port's cipher policy into OpenSSL's own configuration instead of a .NET CipherSuitesPolicy.
/// .NET on Linux reuses one SSL_CTX per certificate, and with it TLS session tickets (resumption), only when no
/// CipherSuitesPolicy is set (Interop.OpenSsl.AllocateSslHandle, <c>cacheSslContext</c>); with a policy every handshake
/// builds and frees an SSL_CTX (~10% of the gateway's CPU per session setup) and no session can be resumed. The same
/// suites set as OpenSSL's <c>system_default</c> CipherString/Ciphersuites give the same policy with the cache.
/// <para>
/// <see cref="TryInstall"/> writes the configuration and points <c>OPENSSL_CONF</c> at it before OpenSSL is loaded,
/// unless the operator already set <c>OPENSSL_CONF</c>. Whether it took effect is never assumed:
/// <see cref="PlatformDefaultsMatch"/> asks libssl for the suites a new SSL_CTX gets, and the caller drops the .NET
/// policy only when they are exactly the policy's suites (else it keeps the policy and loses only the cache).
/// </para>
/// </summary>
internal static partial class OpenSslCipherConfig
{
    public const string FileName = "openssl-gateway.cnf";

    private const string Ssl = "libssl.so.3";
    private const string Crypto = "libcrypto.so.3";

    /// <summary>OpenSSL names of the TLS 1.3 suites of <see cref="TlsPolicy"/> (RFC 8446 B.4).</summary>
    private static readonly string[] Tls13 = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"];

    /// <summary>OpenSSL names of <see cref="TlsPolicy"/>'s TLS 1.2 AEAD suites, in the same order.</summary>
    private static readonly string[] Tls12Aead =
    [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ];

    /// <summary>OpenSSL names of <see cref="TlsPolicy"/>'s legacy AES-CBC-SHA suites (RouterOS), in the same order.</summary>
    private static readonly string[] Tls12LegacyCbc =
    [
        "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-RSA-AES256-SHA",
        "AES128-SHA", "AES256-SHA",
    ];

    /// <summary>
    /// TLS 1.3 session tickets sent after a full handshake (OpenSSL's default is 2). An SSTP client holds one connection
    /// at a time and resumes the next one with one ticket (RFC 8446 4.6.1: several are for parallel connections), and
    /// .NET's client keeps only the newest session per host anyway; each ticket costs the gateway an encryption and a
    /// record, and the client a record and a session-cache callback, on every full session setup.
    /// </summary>
    public const int NumTickets = 1;

    /// <summary>Every suite the policy allows, TLS 1.3 first.</summary>
    public static IReadOnlyList<string> Suites(bool allowLegacyCbc) =>
        allowLegacyCbc ? [.. Tls13, .. Tls12Aead, .. Tls12LegacyCbc] : [.. Tls13, .. Tls12Aead];

    /// <summary>The configuration file: only <c>system_default</c> TLS settings, which OpenSSL applies to every new SSL_CTX.</summary>
    public static string Render(bool allowLegacyCbc)
    {
        string tls12 = string.Join(':', allowLegacyCbc ? [.. Tls12Aead, .. Tls12LegacyCbc] : Tls12Aead);
        return $"""
            # Written by sstp-gateway at startup (Edge:Tls:OpenSslConfig); OPENSSL_CONF points here.
            # The service port's cipher policy as OpenSSL defaults, so .NET can cache TLS contexts and resume sessions.
            openssl_conf = gateway_init

            [gateway_init]
            ssl_conf = gateway_ssl

            [gateway_ssl]
            system_default = gateway_tls

            [gateway_tls]
            CipherString = {tls12}:@SECLEVEL=2
            Ciphersuites = {string.Join(':', Tls13)}
            NumTickets = {NumTickets}

            """;
    }

    /// <summary>
    /// Writes <see cref="FileName"/> into <paramref name="directory"/> and sets <c>OPENSSL_CONF</c> for this process.
    /// False (nothing changed) off Linux, when <c>OPENSSL_CONF</c> is already set, or when the file cannot be written.
    /// Must run before the first TLS or crypto call of the process to have any effect.
    /// </summary>
    public static bool TryInstall(string directory, bool allowLegacyCbc)
    {
        if (!OperatingSystem.IsLinux() || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OPENSSL_CONF")))
        {
            return false;
        }

        try
        {
            Directory.CreateDirectory(directory);
            string path = Path.Combine(directory, FileName);
            File.WriteAllText(path, Render(allowLegacyCbc));
            // .NET keeps its own copy of the environment on Unix; OpenSSL reads the C one.
            if (SetEnv("OPENSSL_CONF", path, 1) != 0)
            {
                return false;
            }

            Environment.SetEnvironmentVariable("OPENSSL_CONF", path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// True when a new server SSL_CTX gets exactly the policy's suites by default (from <c>system_default</c>), so the
    /// .NET CipherSuitesPolicy can be left out without widening anything. False when libssl 3 cannot be asked.
    /// </summary>
    public static bool PlatformDefaultsMatch(bool allowLegacyCbc)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            List<string>? actual = DefaultServerSuites();
            return actual is not null && actual.Order(StringComparer.Ordinal)
                .SequenceEqual(Suites(allowLegacyCbc).Order(StringComparer.Ordinal), StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static List<string>? DefaultServerSuites()
    {
        nint ctx = SslCtxNew(TlsServerMethod());
        if (ctx == 0)
        {
            return null;
        }

        try
        {
            nint ssl = SslNew(ctx);
            if (ssl == 0)
            {
                return null;
            }

            try
            {
                nint stack = SslGetCiphers(ssl);
                int count = stack == 0 ? 0 : SkNum(stack);
                var names = new List<string>(count);
                for (int i = 0; i < count; i++)
                {
                    names.Add(Marshal.PtrToStringUTF8(SslCipherGetName(SkValue(stack, i))) ?? "");
                }

                return names;
            }
            finally
            {
                SslFree(ssl);
            }
        }
        finally
        {
            SslCtxFree(ctx);
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport(Ssl, EntryPoint = "TLS_server_method")]
    private static partial nint TlsServerMethod();

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_new")]
    private static partial nint SslCtxNew(nint method);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_free")]
    private static partial void SslCtxFree(nint ctx);

    [LibraryImport(Ssl, EntryPoint = "SSL_new")]
    private static partial nint SslNew(nint ctx);

    [LibraryImport(Ssl, EntryPoint = "SSL_free")]
    private static partial void SslFree(nint ssl);

    [LibraryImport(Ssl, EntryPoint = "SSL_get_ciphers")]
    private static partial nint SslGetCiphers(nint ssl);

    [LibraryImport(Ssl, EntryPoint = "SSL_CIPHER_get_name")]
    private static partial nint SslCipherGetName(nint cipher);

    [LibraryImport(Crypto, EntryPoint = "OPENSSL_sk_num")]
    private static partial int SkNum(nint stack);

    [LibraryImport(Crypto, EntryPoint = "OPENSSL_sk_value")]
    private static partial nint SkValue(nint stack, int index);
}

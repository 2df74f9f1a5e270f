using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Edge;

/// <summary>
/// Holds the service certificate and the TLS server options built from it. New connections take
/// <see cref="OptionsFor"/>; a reload swaps the reference, so existing connections keep their certificate.
/// Reloads come from a FileSystemWatcher and a periodic stamp check (<c>Edge:Tls:ReloadCheckInterval</c>).
/// With <c>Edge:Tls:Tls13CertificatePath</c> (typically ECDSA P-256) a second certificate goes to clients whose
/// ClientHello offers TLS 1.3, the main one (RSA) to the others: an ECDSA signature costs the gateway a fraction of an
/// RSA-2048 one per full handshake, and Windows 10 failed with an ECDSA certificate over TLS 1.2 (reference sec. 9).
/// </summary>
public sealed class ServerCertificateStore : IDisposable
{
    private readonly EdgeOptions _options;
    private readonly ILogger<ServerCertificateStore> _logger;
    private readonly TimeProvider _timeProvider;
    private readonly string _dataDirectory;
    private readonly object _reloadLock = new();
    private readonly CipherSuitesPolicy? _cipherSuites;
    private FileSystemWatcher? _watcher;
    private ITimer? _periodic;
    private ITimer? _debounce;
    private string _stamp = "";
    private volatile Loaded? _current;

    public ServerCertificateStore(IOptions<EdgeOptions> options, IConfiguration configuration, ILogger<ServerCertificateStore> logger, TimeProvider timeProvider)
    {
        _options = options.Value;
        _logger = logger;
        _timeProvider = timeProvider;
        _dataDirectory = Credentials.UserDirectory.DataDirectory(configuration);
        _cipherSuites = ChooseCipherSuitesPolicy(_options.Tls, logger);
    }

    /// <summary>The certificate new connections get.</summary>
    public X509Certificate2 Current => EnsureLoaded().Main.Certificate;

    /// <summary>The certificate new connections offering TLS 1.3 get; null when <c>Edge:Tls:Tls13CertificatePath</c> is unset.</summary>
    public X509Certificate2? CurrentTls13 => EnsureLoaded().Tls13?.Certificate;

    /// <summary>TLS options for a new connection (shared per certificate generation, which keeps TLS resumption working).</summary>
    public SslServerAuthenticationOptions CurrentOptions => EnsureLoaded().Main.Options;

    /// <summary>
    /// TLS options for a new connection: the TLS 1.3 certificate's options, which allow TLS 1.3 only, when the
    /// ClientHello offers TLS 1.3 (supported_versions, RFC 8446 4.2.1; <see cref="ClientHelloSniffMiddleware"/>) and
    /// that certificate is configured; otherwise the main certificate's.
    /// </summary>
    public SslServerAuthenticationOptions OptionsFor(bool offersTls13)
    {
        Loaded loaded = EnsureLoaded();
        return offersTls13 && loaded.Tls13 is { } tls13 ? tls13.Options : loaded.Main.Options;
    }

    /// <summary>The cipher suite policy of the service port (null: platform or OpenSSL defaults), for other listeners.</summary>
    internal CipherSuitesPolicy? CipherSuites => _cipherSuites;

    /// <summary>Loads the certificate (creating the self-signed one if needed) and starts watching the files.</summary>
    public void Start()
    {
        if (string.IsNullOrEmpty(_options.Tls.CertificatePath) && !string.IsNullOrEmpty(_options.Tls.Tls13CertificatePath))
        {
            // The self-signed default is one RSA certificate, the one file a Windows user imports.
            throw new OptionsValidationException(EdgeOptions.SectionName, typeof(EdgeOptions),
                ["Edge:Tls:Tls13CertificatePath needs Edge:Tls:CertificatePath (the certificate for TLS 1.2 clients)"]);
        }

        EnsureLoaded();
        if (string.IsNullOrEmpty(_options.Tls.CertificatePath) || _periodic is not null)
        {
            return;
        }

        string full = Path.GetFullPath(_options.Tls.CertificatePath);
        try
        {
            _watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!)
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            _watcher.Changed += OnFileEvent;
            _watcher.Created += OnFileEvent;
            _watcher.Renamed += OnFileEvent;
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
        {
            // inotify limits etc.: the periodic check still reloads.
            _watcher?.Dispose();
            _watcher = null;
        }

        _debounce = _timeProvider.CreateTimer(_ => ReloadIfChanged(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _periodic = _timeProvider.CreateTimer(_ => ReloadIfChanged(), null, _options.Tls.ReloadCheckInterval, _options.Tls.ReloadCheckInterval);
    }

    /// <summary>Reloads when the configured files changed since the last successful load. Returns true on a swap.</summary>
    public bool ReloadIfChanged()
    {
        if (string.IsNullOrEmpty(_options.Tls.CertificatePath))
        {
            return false;
        }

        lock (_reloadLock)
        {
            string stamp = FileStamp();
            if (stamp == _stamp)
            {
                return false;
            }

            try
            {
                _current = LoadConfigured();
                _stamp = stamp;
                return true;
            }
            catch (Exception ex)
            {
                // Runs on a timer: never throw. A half-written or mismatched pair fails here; the next event or tick retries.
                EdgeLog.CertificateReloadFailed(_logger, _options.Tls.CertificatePath, ex);
                return false;
            }
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _periodic?.Dispose();
        _debounce?.Dispose();
    }

    /// <summary>
    /// Null (platform defaults, cached TLS contexts) when the platform is asked to decide or when OpenSSL's defaults are
    /// exactly the policy's suites (EdgeTlsOptions.OpenSslConfig); otherwise the explicit AEAD(+CBC) policy.
    /// </summary>
    private static CipherSuitesPolicy? ChooseCipherSuitesPolicy(EdgeTlsOptions tls, ILogger logger)
    {
        if (tls.PlatformCipherSuites)
        {
            EdgeLog.CipherPolicy(logger, "the platform's defaults (Edge:Tls:PlatformCipherSuites)", true);
            return null;
        }

        if (tls.OpenSslConfig && OpenSslCipherConfig.PlatformDefaultsMatch(tls.AllowLegacyCbcSuites))
        {
            EdgeLog.CipherPolicy(logger, "OpenSSL's configuration (OPENSSL_CONF " + Environment.GetEnvironmentVariable("OPENSSL_CONF") + ")", true);
            return null;
        }

        CipherSuitesPolicy? policy = TlsPolicy.CreateCipherSuitesPolicy(tls.AllowLegacyCbcSuites);
        EdgeLog.CipherPolicy(logger, policy is null ? "the operating system" : ".NET CipherSuitesPolicy", policy is null);
        return policy;
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e) =>
        _debounce?.Change(TimeSpan.FromMilliseconds(250), Timeout.InfiniteTimeSpan);

    private Loaded EnsureLoaded()
    {
        Loaded? current = _current;
        if (current is not null)
        {
            return current;
        }

        lock (_reloadLock)
        {
            if (_current is null)
            {
                if (string.IsNullOrEmpty(_options.Tls.CertificatePath))
                {
                    _current = LoadSelfSigned();
                }
                else
                {
                    _stamp = FileStamp();
                    _current = LoadConfigured();
                }
            }

            return _current;
        }
    }

    private string FileStamp() =>
        ContentStamp(_options.Tls.CertificatePath, _options.Tls.KeyPath, _options.Tls.Tls13CertificatePath, _options.Tls.Tls13KeyPath);

    /// <summary>
    /// Content hash of the given files: robust against copies that keep timestamps and against Kubernetes secret
    /// volumes, whose files are symlinks swapped underneath. Empty paths count as "-", unreadable files as such.
    /// </summary>
    internal static string ContentStamp(params ReadOnlySpan<string?> paths)
    {
        var stamp = new System.Text.StringBuilder();
        foreach (string? path in paths)
        {
            if (string.IsNullOrEmpty(path))
            {
                stamp.Append('-');
            }
            else
            {
                try
                {
                    stamp.Append(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    stamp.Append("unreadable");
                }
            }

            stamp.Append('|');
        }

        return stamp.ToString();
    }

    /// <summary>Reads a PEM (leaf first, chain after; key in <paramref name="keyPath"/> or the same file) or PFX certificate.</summary>
    internal static (X509Certificate2 Leaf, X509Certificate2Collection Chain) ReadCertificateFiles(string path, string? keyPath, string? password)
    {
        X509Certificate2 leaf;
        var chain = new X509Certificate2Collection();
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".pfx" or ".p12")
        {
            X509Certificate2Collection all = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
            leaf = all.FirstOrDefault(c => c.HasPrivateKey) ?? throw new CryptographicException($"{path} holds no certificate with a private key");
            foreach (X509Certificate2 c in all)
            {
                if (!ReferenceEquals(c, leaf))
                {
                    chain.Add(c);
                }
            }
        }
        else
        {
            leaf = X509Certificate2.CreateFromPemFile(path, string.IsNullOrEmpty(keyPath) ? null : keyPath);
            var all = new X509Certificate2Collection();
            all.ImportFromPemFile(path);
            foreach (X509Certificate2 c in all)
            {
                if (!c.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))
                {
                    chain.Add(c);
                }
            }
        }

        return (leaf, chain);
    }

    /// <summary>Both certificates load or neither: a reload never pairs a new main certificate with a stale TLS 1.3 one.</summary>
    private Loaded LoadConfigured()
    {
        Served main = LoadFiles(_options.Tls.CertificatePath!, _options.Tls.KeyPath, _options.Tls.CertificatePassword, SslProtocols.Tls12 | SslProtocols.Tls13);
        Served? tls13 = string.IsNullOrEmpty(_options.Tls.Tls13CertificatePath)
            ? null
            : LoadFiles(_options.Tls.Tls13CertificatePath, _options.Tls.Tls13KeyPath, _options.Tls.Tls13CertificatePassword, SslProtocols.Tls13);
        return new Loaded(main, tls13);
    }

    private Served LoadFiles(string path, string? keyPath, string? password, SslProtocols protocols)
    {
        (X509Certificate2 leaf, X509Certificate2Collection chain) = ReadCertificateFiles(path, keyPath, password);
        Served served = Build(leaf, chain, protocols);
        EdgeLog.CertificateLoaded(_logger, path, leaf.Subject, served.Sha256Hex, leaf.NotAfter.ToUniversalTime());
        return served;
    }

    private Loaded LoadSelfSigned()
    {
        string path = Path.Combine(_dataDirectory, SelfSignedCertificate.FileName);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        if (File.Exists(path))
        {
            try
            {
                X509Certificate2 existing = X509CertificateLoader.LoadPkcs12FromFile(path, null, X509KeyStorageFlags.EphemeralKeySet);
                if (existing.HasPrivateKey && existing.NotAfter.ToUniversalTime() > now.UtcDateTime + SelfSignedCertificate.RenewBefore)
                {
                    Served reused = Build(existing, [], SslProtocols.Tls12 | SslProtocols.Tls13);
                    EdgeLog.SelfSignedReused(_logger, path, reused.Sha256Hex);
                    return new Loaded(reused, null);
                }

                EdgeLog.SelfSignedReplaced(_logger, path, null);
            }
            catch (CryptographicException ex)
            {
                EdgeLog.SelfSignedReplaced(_logger, path, ex);
            }
        }

        Directory.CreateDirectory(_dataDirectory);
        byte[] pfx = SelfSignedCertificate.CreatePfx(System.Net.Dns.GetHostName(), now, out string names);
        string temp = path + ".tmp";
        var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // the file holds the private key
        }

        using (var stream = new FileStream(temp, create))
        {
            stream.Write(pfx);
        }

        File.Move(temp, path, overwrite: true);
        X509Certificate2 created = X509CertificateLoader.LoadPkcs12(pfx, null, X509KeyStorageFlags.EphemeralKeySet);
        Served served = Build(created, [], SslProtocols.Tls12 | SslProtocols.Tls13);
        EdgeLog.SelfSignedCreated(_logger, path, names, served.Sha256Hex);
        return new Loaded(served, null);
    }

    private Served Build(X509Certificate2 leaf, X509Certificate2Collection chain, SslProtocols protocols)
    {
        // offline: false lets the runtime fetch OCSP responses for stapling where the platform supports it.
        SslStreamCertificateContext context = SslStreamCertificateContext.Create(leaf, chain, offline: false);
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = context,
            EnabledSslProtocols = protocols,
            CipherSuitesPolicy = _cipherSuites,
            AllowTlsResume = true, // effective only without a CipherSuitesPolicy (see EdgeTlsOptions.OpenSslConfig)
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        };
        return new Served(leaf, options, Convert.ToHexString(SHA256.HashData(leaf.RawDataMemory.Span)));
    }

    /// <summary>One certificate and the TLS options that serve it.</summary>
    private sealed record Served(X509Certificate2 Certificate, SslServerAuthenticationOptions Options, string Sha256Hex);

    /// <summary>One generation: the main certificate and the optional one for TLS 1.3 clients, swapped together.</summary>
    private sealed record Loaded(Served Main, Served? Tls13);
}

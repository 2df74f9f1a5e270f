using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Edge;

/// <summary>
/// TLS for the management listener (<c>Edge:Management:Tls</c>): its own certificate or the service certificate
/// (following <see cref="ServerCertificateStore"/>'s reloads), and the client-certificate policy over a CA bundle
/// file. Own certificate files and the CA bundle are re-read when their content changes (checked every
/// <c>Edge:Tls:ReloadCheckInterval</c>); a failed reload keeps what is loaded.
/// </summary>
internal sealed class ManagementTlsStore : IDisposable
{
    private readonly EdgeManagementTlsOptions _tls;
    private readonly TimeSpan _reloadInterval;
    private readonly ServerCertificateStore _service;
    private readonly ILogger<ManagementTlsStore> _logger;
    private readonly TimeProvider _timeProvider;
    private readonly object _reloadLock = new();
    private ITimer? _periodic;
    private string _stamp = "";
    private volatile Loaded? _current;

    public ManagementTlsStore(IOptions<EdgeOptions> options, ServerCertificateStore service, ILogger<ManagementTlsStore> logger, TimeProvider timeProvider)
    {
        _tls = options.Value.Management.Tls;
        _reloadInterval = options.Value.Tls.ReloadCheckInterval;
        _service = service;
        _logger = logger;
        _timeProvider = timeProvider;
    }

    /// <summary>Loads the files (throwing on a misconfiguration, so that the gateway does not start half-secured) and starts the reload check.</summary>
    public void Start()
    {
        lock (_reloadLock)
        {
            if (_current is not null)
            {
                return;
            }

            if (_tls.RequireClientCertificate && string.IsNullOrWhiteSpace(_tls.ClientCaPath))
            {
                throw new OptionsValidationException(EdgeOptions.SectionName, typeof(EdgeOptions),
                    ["Edge:Management:Tls:RequireClientCertificate needs Edge:Management:Tls:ClientCaPath (PEM bundle of the CAs that issue admin client certificates)"]);
            }

            if (string.IsNullOrEmpty(_tls.CertificatePath))
            {
                _service.Start(); // the service certificate with its own reloads, also in HttpOnly mode
            }

            _stamp = Stamp();
            _current = Load();
            if (!string.IsNullOrEmpty(_tls.CertificatePath) || _tls.RequireClientCertificate)
            {
                _periodic = _timeProvider.CreateTimer(_ => ReloadIfChanged(), null, _reloadInterval, _reloadInterval);
            }
        }
    }

    /// <summary>Reloads when the certificate, key or CA bundle files changed. Returns true on a swap.</summary>
    public bool ReloadIfChanged()
    {
        lock (_reloadLock)
        {
            string stamp = Stamp();
            if (_current is null || stamp == _stamp)
            {
                return false;
            }

            try
            {
                _current = Load();
                _stamp = stamp;
                return true;
            }
            catch (Exception ex)
            {
                // Runs on a timer: never throw; a half-written file fails here and the next tick retries.
                EdgeLog.ManagementTlsReloadFailed(_logger, string.Join(", ", _tls.CertificatePath, _tls.KeyPath, _tls.ClientCaPath), ex);
                return false;
            }
        }
    }

    /// <summary>
    /// Server options for one management connection. Per connection, so that the validation callback can log the
    /// peer. Resumption is off: admin traffic is light, and a resumed session would skip the client certificate
    /// check of this handshake (and could carry a session from the service port if the TLS context were shared).
    /// </summary>
    public SslServerAuthenticationOptions CreateOptions(ConnectionContext connection)
    {
        Loaded current = _current ?? throw new InvalidOperationException("ManagementTlsStore.Start was not called");
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = current.Certificate ?? _service.CurrentOptions.ServerCertificateContext,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CipherSuitesPolicy = _service.CipherSuites,
            AllowTlsResume = false,
            ClientCertificateRequired = current.Policy is not null,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        };
        if (current.Policy is { } policy)
        {
            options.RemoteCertificateValidationCallback = (_, certificate, chain, _) => Validate(policy, certificate, chain, connection);
        }

        return options;
    }

    public void Dispose() => _periodic?.Dispose();

    private bool Validate(ManagementClientCertificatePolicy policy, X509Certificate? presented, X509Chain? chain, ConnectionContext connection)
    {
        X509Certificate2? certificate = presented as X509Certificate2 ?? (presented is null ? null : X509CertificateLoader.LoadCertificate(presented.GetRawCertData()));
        ManagementClientCertificateStatus status = policy.Check(certificate, chain?.ChainPolicy.ExtraStore, _timeProvider.GetUtcNow(), out string detail);
        string? sha256 = certificate is null ? null : Convert.ToHexString(SHA256.HashData(certificate.RawDataMemory.Span));
        string? remote = connection.RemoteEndPoint?.ToString();
        if (status == ManagementClientCertificateStatus.Accepted)
        {
            EdgeLog.ManagementClientAccepted(_logger, remote, connection.ConnectionId, certificate!.Subject, sha256!);
            return true;
        }

        // Returning false fails the server's handshake and Kestrel closes the connection before any HTTP is read.
        // .NET 10 on Linux runs this after OpenSSL's handshake messages, so the client sees the close, not a TLS alert
        // (bad_certificate / certificate_required, RFC 8446 4.4.2.4); dotnet/runtime#115996 moves it into the handshake.
        EdgeLog.ManagementClientRefused(_logger, remote, connection.ConnectionId, status, detail, certificate?.Subject ?? "-", sha256 ?? "-");
        return false;
    }

    private string Stamp() => ServerCertificateStore.ContentStamp(_tls.CertificatePath, _tls.KeyPath, _tls.ClientCaPath);

    private Loaded Load()
    {
        SslStreamCertificateContext? context = null;
        string certificate = "the service certificate (Edge:Tls)";
        if (!string.IsNullOrEmpty(_tls.CertificatePath))
        {
            (X509Certificate2 leaf, X509Certificate2Collection chain) = ServerCertificateStore.ReadCertificateFiles(_tls.CertificatePath, _tls.KeyPath, _tls.CertificatePassword);
            context = SslStreamCertificateContext.Create(leaf, chain, offline: true);
            certificate = $"{_tls.CertificatePath} (subject {leaf.Subject}, SHA-256 {Convert.ToHexString(SHA256.HashData(leaf.RawDataMemory.Span))}, valid until {leaf.NotAfter.ToUniversalTime():u})";
        }

        ManagementClientCertificatePolicy? policy = null;
        string described = "not requested (Edge:Management:Tls:RequireClientCertificate=false)";
        if (_tls.RequireClientCertificate)
        {
            policy = new ManagementClientCertificatePolicy(ManagementClientCertificatePolicy.LoadBundle(_tls.ClientCaPath!), _tls.AllowedClientSubjects, _tls.AllowedClientThumbprints);
            described = $"required, issued by one of {policy.AnchorCount} CA certificate(s) in {_tls.ClientCaPath}"
                + (_tls.AllowedClientSubjects.Count + _tls.AllowedClientThumbprints.Count > 0
                    ? $", restricted to {_tls.AllowedClientSubjects.Count} subject(s) and {_tls.AllowedClientThumbprints.Count} fingerprint(s)"
                    : "");
        }

        EdgeLog.ManagementTls(_logger, certificate, described);
        return new Loaded(context, policy);
    }

    private sealed record Loaded(SslStreamCertificateContext? Certificate, ManagementClientCertificatePolicy? Policy);
}

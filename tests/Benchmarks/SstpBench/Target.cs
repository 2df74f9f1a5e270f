using System.Net;
using Client;
using Gateway.Ppp.Auth;

namespace SstpBench;

/// <summary>The server under test and how to log in; builds the client settings for each connect.</summary>
internal sealed class Target
{
    public Target(BenchOptions o)
    {
        string server = o.Get("server") ?? throw new ArgumentException("--server HOST[:PORT] is required");
        int colon = server.LastIndexOf(':');
        if (colon > 0 && !server.EndsWith(']'))
        {
            Host = server[..colon];
            Port = int.Parse(server[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            Host = server;
        }
        User = o.Get("user") ?? throw new ArgumentException("--user is required");
        Password = o.Get("password") ?? throw new ArgumentException("--password is required");
        ServerName = o.Get("sni");
        SendQueueBytes = o.GetInt("send-queue-kb", 1024) * 1024;
        TunOffload = !o.Flag("no-tun-offload");
        ConnectTimeout = TimeSpan.FromSeconds(o.GetDouble("connect-timeout", 30));
        Sink = IPAddress.Parse(o.Get("sink", "10.77.0.1"));
        AuthMethods = o.Get("auth", "mschapv2").Split(',').Select(m => m switch
        {
            "mschapv2" => AuthMethod.MsChapV2,
            "eap" => AuthMethod.EapMsChapV2,
            "chap" => AuthMethod.ChapMd5,
            "pap" => AuthMethod.Pap,
            _ => throw new ArgumentException($"unknown authentication method '{m}'"),
        }).ToArray();
    }

    /// <summary>
    /// MS-CHAPv2 only by default (--auth): the benchmark is defined on MS-CHAPv2, and the client library's default list
    /// (EAP second) does not come up against SoftEther 5.01, which asks for EAP first and then rejects it.
    /// </summary>
    public IReadOnlyList<AuthMethod> AuthMethods { get; }

    public string Host { get; }

    public int Port { get; } = 443;

    public string User { get; }

    public string Password { get; }

    public string? ServerName { get; }

    public int SendQueueBytes { get; }

    /// <summary>Open the tcp/latency loads' TUN device with offloads (super-packets); off with --no-tun-offload.</summary>
    public bool TunOffload { get; }

    public TimeSpan ConnectTimeout { get; }

    /// <summary>Address behind the server that receives and sends the test traffic (bench `sink` mode, kernel ping).</summary>
    public IPAddress Sink { get; }

    /// <summary>Settings of one connect; <paramref name="serverName"/> overrides the TLS server name (--sni).</summary>
    public SstpClientSettings Settings(bool allowTlsResume, string? serverName = null) => new()
    {
        Host = Host,
        Port = Port,
        // One fixed TLS server name for every connect: the .NET client session cache (OpenSSL SSL_CTX cache on Linux)
        // is keyed by the target host, so resumption needs the same name each time.
        ServerName = serverName ?? ServerName ?? "sstp-bench.target",
        User = User,
        Password = Password,
        AuthMethods = AuthMethods,
        SkipCertificateValidation = true,
        AllowTlsResume = allowTlsResume,
        ConnectTimeout = ConnectTimeout,
        SendQueueBytes = SendQueueBytes,
        TunOffload = TunOffload,
    };

    public string Describe() => $"{Host}:{Port}";
}

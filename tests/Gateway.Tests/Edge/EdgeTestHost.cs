using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Admin;
using Gateway.Edge;
using Gateway.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Edge;

/// <summary>Starts the real edge (Kestrel, real sockets) on 127.0.0.1 ephemeral ports with a temp data directory.</summary>
internal sealed class EdgeTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EdgeTestHost(WebApplication app, string dataDirectory, EchoSstpHandler handler)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Handler = handler;
        var registry = app.Services.GetRequiredService<EdgeListenerRegistry>();
        Service = registry.EndPoints(EdgeListenerKind.Service)[0];
        Management = registry.EndPoints(EdgeListenerKind.Management)[0];
        Probes = registry.EndPoints(EdgeListenerKind.Probe);
    }

    public string DataDirectory { get; }

    public EchoSstpHandler Handler { get; }

    public IPEndPoint Service { get; }

    public IPEndPoint Management { get; }

    /// <summary>Edge:Management:ProbeListen listeners (none unless configured).</summary>
    public IReadOnlyList<IPEndPoint> Probes { get; }

    public IServiceProvider Services => _app.Services;

    public static string NewTempDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "edge-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <param name="withAdmin">Also map the admin API (as the gateway does) over <see cref="StubAdminBackend"/>.</param>
    /// <param name="logs">Receives the host's log messages (none are kept otherwise).</param>
    public static async Task<EdgeTestHost> StartAsync(
        Dictionary<string, string?>? overrides = null, string? dataDirectory = null, bool withAdmin = false, ILoggerProvider? logs = null)
    {
        dataDirectory ??= NewTempDirectory();
        var config = new Dictionary<string, string?>
        {
            ["Edge:Listen:0"] = "127.0.0.1:0",
            ["Edge:ManagementListen:0"] = "127.0.0.1:0",
            ["Gateway:DataDirectory"] = dataDirectory,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var pair in overrides ?? [])
        {
            config[pair.Key] = pair.Value;
        }

        // Content root in the temp directory: no appsettings.json of the product leaks into the test.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = dataDirectory, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        var handler = new EchoSstpHandler();
        builder.Services.AddSingleton<ISstpConnectionHandler>(handler);
        builder.AddGatewayEdge();
        if (withAdmin)
        {
            StubAdminBackend.Register(builder.Services);
            builder.Services.AddAdminApi(builder.Configuration);
        }

        WebApplication app = builder.Build();
        app.UseGatewayEdge();
        app.MapGatewayHealth();
        if (withAdmin)
        {
            app.MapGatewayAdmin();
        }

        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync(); // a listener bound before the failing one is closed here
            throw;
        }

        return new EdgeTestHost(app, dataDirectory, handler);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>TCP connection to the service port, then TLS accepting any certificate.</summary>
    public async Task<(TcpClient Tcp, SslStream Tls)> ConnectTlsAsync(byte[]? beforeTls = null, SslProtocols protocols = SslProtocols.None)
    {
        var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(Service);
        Stream stream = tcp.GetStream();
        if (beforeTls is not null)
        {
            await stream.WriteAsync(beforeTls);
        }

        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            EnabledSslProtocols = protocols,
        }).WaitAsync(TimeSpan.FromSeconds(20));
        return (tcp, tls);
    }

    public static HttpClient HttpsClient(IPEndPoint endPoint) => new(new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    })
    {
        BaseAddress = new Uri($"https://{endPoint}/"),
        Timeout = TimeSpan.FromSeconds(20),
    };

    public static HttpClient HttpClient(IPEndPoint endPoint) => new() { BaseAddress = new Uri($"http://{endPoint}/"), Timeout = TimeSpan.FromSeconds(20) };

    /// <summary>Reads up to and including CRLF CRLF, byte by byte so nothing after the head is consumed.</summary>
    public static async Task<string> ReadHeadAsync(Stream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (bytes.Count < 4 || !(bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            int n = await stream.ReadAsync(one, cts.Token);
            if (n == 0)
            {
                break;
            }

            bytes.Add(one[0]);
        }

        return Encoding.ASCII.GetString(bytes.ToArray());
    }

    public static async Task<byte[]> ReadExactlyAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await stream.ReadExactlyAsync(buffer, cts.Token);
        return buffer;
    }

    /// <summary>Reads until the peer closes; returns what came.</summary>
    public static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        var all = new MemoryStream();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await stream.CopyToAsync(all, cts.Token);
        }
        catch (IOException)
        {
            // reset by peer counts as closed
        }

        return all.ToArray();
    }
}

using System.Net;
using Gateway.Edge;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A whole gateway (edge, SSTP/PPP core, TUN in a test namespace, store, admin API) in this process, on ephemeral
/// loopback ports with a temporary data directory. Several can run at once (cluster tests).
/// </summary>
public sealed class GatewayHarness : IAsyncDisposable
{
    public const string User = "alice";
    public const string Password = "correct horse battery";
    public const string AdminKey = "test-admin-key-0123456789";

    private GatewayHarness(WebApplication app, string dataDirectory)
    {
        App = app;
        DataDirectory = dataDirectory;
        var listeners = app.Services.GetRequiredService<EdgeListenerRegistry>();
        ServiceEndPoint = listeners.EndPoints(EdgeListenerKind.Service)[0];
        ManagementEndPoint = listeners.EndPoints(EdgeListenerKind.Management)[0];
    }

    public WebApplication App { get; }

    public string DataDirectory { get; }

    public IPEndPoint ServiceEndPoint { get; }

    public IPEndPoint ManagementEndPoint { get; }

    public IServiceProvider Services => App.Services;

    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>Starts a gateway whose TUN device lives in <paramref name="tunNamespace"/> with pool <paramref name="pool"/>.</summary>
    public static async Task<GatewayHarness> StartAsync(string tunNamespace, string pool, IDictionary<string, string>? settings = null)
    {
        string data = Directory.CreateTempSubdirectory("gwtest-data-").FullName;
        var args = new Dictionary<string, string>
        {
            ["Gateway:DataDirectory"] = data,
            ["Edge:Listen:0"] = "127.0.0.1:0",
            ["Edge:ManagementListen:0"] = "127.0.0.1:0",
            ["Tunnel:NetworkNamespace"] = tunNamespace,
            ["Tunnel:DeviceName"] = "gwt%d",
            ["Tunnel:Ipv4Pool"] = pool,
            ["Credentials:Users:0:Name"] = User,
            ["Credentials:Users:0:Password"] = Password,
            ["Admin:ApiKeys:0"] = AdminKey,
            ["Ppp:DnsServers:0"] = "192.0.2.53",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (KeyValuePair<string, string> kv in settings ?? new Dictionary<string, string>())
        {
            args[kv.Key] = kv.Value;
        }

        WebApplication app = GatewayApp.Build([.. args.Select(kv => $"--{kv.Key}={kv.Value}")]);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            Directory.Delete(data, recursive: true);
            throw;
        }

        return new GatewayHarness(app, data);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await App.StopAsync(cts.Token);
        await App.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}

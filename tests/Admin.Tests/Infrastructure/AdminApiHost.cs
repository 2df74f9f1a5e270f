using System.Net;
using System.Net.Http.Headers;
using Admin.Backend;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Admin.Tests.Infrastructure;

/// <summary>
/// A real Kestrel WebApplication on 127.0.0.1 with two ephemeral listeners: <see cref="ManagementBase"/> plays the
/// management listener (its port is put into Admin:ManagementPorts after start-up, through a configuration reload)
/// and <see cref="PublicBase"/> plays 443.
/// </summary>
public sealed class AdminApiHost : IAsyncDisposable
{
    public const string Key = "test-key-0123456789abcdef";
    public const string SecondKey = "second-key-abcdefghijklmnop";

    private readonly WebApplication _app;

    private AdminApiHost(WebApplication app, FakeAdminBackend backend, FakeTimeProvider time, Uri management, Uri @public)
    {
        _app = app;
        Backend = backend;
        Time = time;
        ManagementBase = management;
        PublicBase = @public;
        Client = new HttpClient { BaseAddress = management };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        Anonymous = new HttpClient { BaseAddress = management };
    }

    public FakeAdminBackend Backend { get; }

    public FakeTimeProvider Time { get; }

    public Uri ManagementBase { get; }

    public Uri PublicBase { get; }

    /// <summary>Client on the management port with the right key.</summary>
    public HttpClient Client { get; }

    /// <summary>Client on the management port without credentials.</summary>
    public HttpClient Anonymous { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<AdminApiHost> StartAsync(
        Func<HttpContext, bool>? connectionFilter = null,
        bool configureManagementPort = true,
        IDictionary<string, string?>? settings = null,
        Action<KestrelServerOptions>? kestrel = null,
        ILoggerProvider? logger = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        if (logger is not null)
        {
            builder.Logging.AddProvider(logger);
        }

        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>
        {
            ["Admin:ApiKeys:0"] = Key,
            ["Admin:ApiKeys:1"] = SecondKey,
        });
        builder.WebHost.ConfigureKestrel(options =>
        {
            if (kestrel is not null)
            {
                kestrel(options);
            }
            else
            {
                options.Listen(IPAddress.Loopback, 0);
                options.Listen(IPAddress.Loopback, 0);
            }
        });

        var time = new FakeTimeProvider(FakeAdminBackend.T0.AddHours(1));
        var backend = new FakeAdminBackend();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<ISessionAdmin>(backend);
        builder.Services.AddSingleton<INodeAdmin>(backend);
        builder.Services.AddSingleton<IPoolAdmin>(backend);
        builder.Services.AddSingleton<IUserAdmin>(backend);
        builder.Services.AddAdminApi(builder.Configuration);

        WebApplication app = builder.Build();
        app.MapAdminApi(connectionFilter);
        app.MapGet("/public", () => "public endpoint");
        try
        {
            await app.StartAsync();
            string[] addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToArray();
            var management = new Uri(addresses[0]);
            var @public = new Uri(addresses.Length > 1 ? addresses[1] : addresses[0]);
            if (configureManagementPort)
            {
                app.Configuration["Admin:ManagementPorts:0"] = management.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                ((IConfigurationRoot)app.Configuration).Reload();
            }

            return new AdminApiHost(app, backend, time, management, @public);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

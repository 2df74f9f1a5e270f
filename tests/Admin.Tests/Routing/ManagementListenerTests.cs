using System.Net;
using System.Net.Http.Headers;
using Admin.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Admin.Tests.Routing;

public sealed class ManagementListenerTests
{
    private static readonly string[] AdminPaths = ["/api/v1/pool", "/api/v1/sessions", "/api/v1/anything", "/swagger/v1/swagger.json", "/swagger/index.html", "/swagger"];

    [Fact]
    public async Task Admin_api_does_not_exist_on_a_non_management_port()
    {
        await using var host = await AdminApiHost.StartAsync();
        Assert.NotEqual(host.ManagementBase.Port, host.PublicBase.Port);
        using var onPublic = PublicClient(host, withKey: true);
        using var anonymousOnPublic = PublicClient(host, withKey: false);

        foreach (string path in AdminPaths)
        {
            using var withKey = await onPublic.GetAsync(path);
            using var withoutKey = await anonymousOnPublic.GetAsync(path);

            // Plain routing 404: no 401 challenge that would reveal an admin API behind this port.
            Assert.Equal(HttpStatusCode.NotFound, withKey.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, withoutKey.StatusCode);
            Assert.Empty(withoutKey.Headers.WwwAuthenticate);
        }

        using var delete = await onPublic.DeleteAsync("/api/v1/sessions/s-1");
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Empty(host.Backend.Disconnects);

        // Other endpoints of the host stay reachable on that port.
        using var other = await anonymousOnPublic.GetAsync("/public");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal("public endpoint", await other.Content.ReadAsStringAsync());

        // Same requests on the management port.
        using var pool = await host.Client.GetAsync("/api/v1/pool");
        using var swagger = await host.Anonymous.GetAsync("/swagger/v1/swagger.json");
        Assert.Equal(HttpStatusCode.OK, pool.StatusCode);
        Assert.Equal(HttpStatusCode.OK, swagger.StatusCode);
    }

    [Fact]
    public async Task Forged_host_header_does_not_reach_the_admin_api()
    {
        await using var host = await AdminApiHost.StartAsync();
        using var onPublic = PublicClient(host, withKey: true);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/pool");
        request.Headers.Host = "127.0.0.1:" + host.ManagementBase.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        using var response = await onPublic.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Nothing_is_served_without_ports_or_filter()
    {
        await using var host = await AdminApiHost.StartAsync(configureManagementPort: false);

        using var pool = await host.Client.GetAsync("/api/v1/pool");
        using var swagger = await host.Anonymous.GetAsync("/swagger/v1/swagger.json");

        Assert.Equal(HttpStatusCode.NotFound, pool.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, swagger.StatusCode);
    }

    [Fact]
    public async Task Connection_filter_alone_decides_without_configured_ports()
    {
        int? allowedPort = null;
        await using var host = await AdminApiHost.StartAsync(
            connectionFilter: context => context.Connection.LocalPort == allowedPort,
            configureManagementPort: false);
        allowedPort = host.ManagementBase.Port;
        using var onPublic = PublicClient(host, withKey: true);

        using var management = await host.Client.GetAsync("/api/v1/pool");
        using var other = await onPublic.GetAsync("/api/v1/pool");

        Assert.Equal(HttpStatusCode.OK, management.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task Connection_filter_also_applies_on_a_management_port()
    {
        await using var host = await AdminApiHost.StartAsync(connectionFilter: _ => false);

        using var response = await host.Client.GetAsync("/api/v1/pool");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Ports_come_from_Admin_ManagementPorts()
    {
        await using var host = await AdminApiHost.StartAsync();

        var options = (IOptionsMonitor<AdminApiOptions>)host.Services.GetService(typeof(IOptionsMonitor<AdminApiOptions>))!;

        Assert.Equal([host.ManagementBase.Port], options.CurrentValue.ManagementPorts);
    }

    private static HttpClient PublicClient(AdminApiHost host, bool withKey)
    {
        var client = new HttpClient { BaseAddress = host.PublicBase };
        if (withKey)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminApiHost.Key);
        }

        return client;
    }
}

using System.Net;
using Admin.Tests.Infrastructure;

namespace Admin.Tests.Api;

public sealed class PoolEndpointTests : IAsyncLifetime
{
    private AdminApiHost _host = null!;

    public async Task InitializeAsync() => _host = await AdminApiHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Get_returns_pool_usage()
    {
        using var response = await _host.Client.GetAsync("/api/v1/pool");

        await HttpAssert.JsonAsync(response, HttpStatusCode.OK, """{"range":"10.8.0.0/22","size":1022,"used":2,"lingering":1,"free":1019}""");
    }

    [Fact]
    public async Task Store_unavailable_is_503_problem()
    {
        _host.Backend.StoreDown = true;

        using var response = await _host.Client.GetAsync("/api/v1/pool");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "Session Store Unavailable");
    }
}

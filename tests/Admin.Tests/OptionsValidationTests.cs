using Admin.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Admin.Tests;

public sealed class OptionsValidationTests
{
    [Fact]
    public async Task Short_api_key_stops_start_up()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => AdminApiHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Admin:ApiKeys:0"] = "0123456789abcdef",
            ["Admin:ApiKeys:1"] = "0123456789abcde",
        }));

        Assert.Equal(["Admin:ApiKeys:1 must be at least 16 non-blank characters."], ex.Failures);
    }

    [Fact]
    public async Task Impossible_port_stops_start_up()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => AdminApiHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Admin:ApiKeys:0"] = "0123456789abcdef",
            ["Admin:ManagementPorts:0"] = "70000",
        }));

        Assert.Equal(["Admin:ManagementPorts:0 = 70000 is not a TCP port (1-65535)."], ex.Failures);
    }

    [Fact]
    public async Task No_keys_refuses_every_request()
    {
        await using var host = await AdminApiHost.StartAsync(settings: new Dictionary<string, string?>());

        using var response = await host.Client.GetAsync("/api/v1/pool");

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

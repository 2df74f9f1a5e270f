using Gateway.State;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Tests.State;

[Collection(RedisCollection.Name)]
public sealed class StateServiceCollectionExtensionsTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Memory_is_the_default_and_every_part_is_the_same_store()
    {
        await using ServiceProvider sp = Build(new Dictionary<string, string?>
        {
            ["State:Pool:Range"] = "10.20.0.0/28",
            ["State:Pool:LeaseLinger"] = "00:02:00",
            ["State:NodeId"] = "gw-1",
        });

        IStateStore store = sp.GetRequiredService<IStateStore>();
        Assert.IsType<InMemoryStateStore>(store);
        Assert.Same(store, sp.GetRequiredService<ISessionStore>());
        Assert.Same(store, sp.GetRequiredService<IIpLeaseStore>());
        Assert.Same(store, sp.GetRequiredService<INodeRegistry>());
        Assert.Same(store, sp.GetRequiredService<INodeCommandBus>());
        Assert.Same(store, sp.GetRequiredService<IStoreHealth>());
        Assert.Equal(13, store.Pool.Size);
        StateOptions options = sp.GetRequiredService<IOptions<StateOptions>>().Value;
        Assert.Equal(TimeSpan.FromMinutes(2), options.Pool.LeaseLinger);
        Assert.Equal("gw-1", options.ResolveNodeId());
        Assert.Contains(sp.GetServices<IHostedService>(), s => s is NodeHeartbeatService);

        HealthReport report = await sp.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Tags.Contains("ready"));
        Assert.Equal(HealthStatus.Healthy, report.Entries[StateStoreHealthCheck.Name].Status);
    }

    [Fact]
    public async Task Redis_provider_uses_one_shared_multiplexer()
    {
        await using ServiceProvider sp = Build(new Dictionary<string, string?>
        {
            ["State:Provider"] = "Redis",
            ["State:KeyPrefix"] = "di-" + Guid.NewGuid().ToString("N") + ":",
            ["State:Redis:Configuration"] = redis.Server.Configuration,
            ["State:RunNodeHeartbeat"] = "false",
        });

        IStateStore store = sp.GetRequiredService<IStateStore>();
        Assert.IsType<RedisStateStore>(store);
        IConnectionMultiplexer connection = sp.GetRequiredService<IConnectionMultiplexer>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!connection.IsConnected)
        {
            Assert.True(DateTime.UtcNow < deadline, "the shared multiplexer did not connect within 15 s");
            await Task.Delay(20);
        }

        Assert.DoesNotContain(sp.GetServices<IHostedService>(), s => s is NodeHeartbeatService);
        Assert.True((await store.CheckHealthAsync()).IsHealthy);
        Assert.Equal(LeaseOutcome.Allocated, (await store.AllocateAsync("alice", "s1", "n1")).Outcome);
    }

    [Fact]
    public async Task Invalid_configuration_is_reported_by_setting_name()
    {
        await using ServiceProvider sp = Build(new Dictionary<string, string?> { ["State:Pool:Range"] = "10.8.0.0/33" });
        OptionsValidationException ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<StateOptions>>().Value);
        Assert.Contains("State:Pool:Range", ex.Message, StringComparison.Ordinal);

        await using ServiceProvider ttl = Build(new Dictionary<string, string?> { ["State:NodeTtl"] = "00:00:03" });
        Assert.Throws<OptionsValidationException>(() => ttl.GetRequiredService<IOptions<StateOptions>>().Value);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSessionStore(configuration);
        return services.BuildServiceProvider();
    }
}

using Gateway.Tunnel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateway.Tests.Tunnel;

public class TunnelHostedServiceTests
{
    [Fact]
    public async Task Wires_router_pool_and_a_preregistered_tun()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Tunnel:Ipv4Pool"] = "10.213.30.0/29",
                ["Tunnel:Mtu"] = "1400",
                ["Tunnel:Egress:MaxBytes"] = "65536",
            })
            .Build();
        var tun = new InMemoryTun();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<ITunDevice>(tun);
        services.AddTunnel(configuration);
        await using ServiceProvider provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<TunnelOptions>>().Value;
        Assert.Equal(65536, options.Egress.MaxBytes);
        IAddressPool pool = provider.GetRequiredService<IAddressPool>();
        PacketRouter router = provider.GetRequiredService<PacketRouter>();
        IHostedService host = Assert.Single(provider.GetServices<IHostedService>());
        await host.StartAsync(default);

        uint? address = await pool.AllocateAsync();
        Assert.Equal(TestPackets.V4("10.213.30.2"), address); // .1 is the gateway
        using var queue = new EgressQueue(options.Egress, provider.GetRequiredService<TunnelMetrics>());
        Assert.True(router.TryRegister(address!.Value, queue));
        tun.Inject(TestPackets.Udp4("10.213.1.1", "10.213.30.2", 53, 4000, [1, 2]));
        Assert.Equal(1, queue.Count);

        await host.StopAsync(default);
        Assert.False(tun.Write([0x45]));
    }
}

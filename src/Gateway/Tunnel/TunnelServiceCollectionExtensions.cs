using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Tunnel;

/// <summary>Registers the tunnel data plane (composition only; Program.cs calls <see cref="AddTunnel"/>).</summary>
public static class TunnelServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="TunnelOptions"/> to the "Tunnel" section and registers <see cref="TunnelMetrics"/>,
    /// <see cref="PacketRouter"/>, <see cref="IAddressPool"/> (the local <see cref="Ipv4AddressPool"/> unless one
    /// was registered before), <see cref="ITunDevice"/> (a real <see cref="TunDevice"/> unless one was registered
    /// before, e.g. an in-memory TUN in tests) and <see cref="TunnelHostedService"/>, which opens the device at
    /// start, attaches the router, turns NAT on if configured, and undoes it all at stop.
    /// </summary>
    public static IServiceCollection AddTunnel(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<TunnelOptions>(configuration.GetSection(TunnelOptions.SectionName));
        services.TryAddSingleton(sp => new TunnelMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp =>
        {
            TunnelOptions options = sp.GetRequiredService<IOptions<TunnelOptions>>().Value;
            return new PacketRouter(sp.GetRequiredService<TunnelMetrics>(), options.Mtu, options.ClampMss);
        });
        services.TryAddSingleton<IAddressPool>(sp => sp.GetRequiredService<IOptions<TunnelOptions>>().Value.CreatePool());
        services.TryAddSingleton<ITunDevice>(sp => TunDevice.Create(
            sp.GetRequiredService<IOptions<TunnelOptions>>().Value,
            sp.GetService<ILoggerFactory>()?.CreateLogger("Gateway.Tunnel")));
        services.AddHostedService<TunnelHostedService>();
        return services;
    }
}

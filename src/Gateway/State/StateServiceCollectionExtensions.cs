using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.State;

/// <summary>Registers the session store chosen by <c>State:Provider</c>.</summary>
public static class StateServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="StateOptions"/> from the <c>State</c> section and registers <see cref="IStateStore"/> (and its
    /// parts <see cref="ISessionStore"/>, <see cref="IIpLeaseStore"/>, <see cref="INodeRegistry"/>,
    /// <see cref="INodeCommandBus"/>, <see cref="IStoreHealth"/>), <see cref="StateMetrics"/>, the "state" readiness
    /// health check (tag "ready"), the shared <see cref="IConnectionMultiplexer"/> for Redis (unless one is already
    /// registered), <see cref="NodeHeartbeatService"/> when <c>State:RunNodeHeartbeat</c> is true, and
    /// <see cref="NodeCommandListener"/> (which feeds any registered <see cref="INodeCommandHandler"/>).
    /// </summary>
    public static IServiceCollection AddSessionStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        IConfigurationSection section = configuration.GetSection(StateOptions.SectionName);
        services.AddOptions<StateOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StateOptions>, StateOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new StateMetrics(sp.GetService<IMeterFactory>()));

        StateOptions snapshot = section.Get<StateOptions>() ?? new StateOptions();
        if (snapshot.Provider == StateProvider.Redis)
        {
            services.TryAddSingleton<IConnectionMultiplexer>(sp =>
                ConnectionMultiplexer.Connect(RedisStateStore.CreateConfiguration(sp.GetRequiredService<IOptions<StateOptions>>().Value.Redis)));
            services.AddSingleton<IStateStore>(sp => new RedisStateStore(
                sp.GetRequiredService<IConnectionMultiplexer>(),
                sp.GetRequiredService<IOptions<StateOptions>>().Value,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<StateMetrics>()));
        }
        else
        {
            services.AddSingleton<IStateStore>(sp => new InMemoryStateStore(
                sp.GetRequiredService<IOptions<StateOptions>>().Value,
                sp.GetRequiredService<TimeProvider>()));
        }

        services.AddSingleton<ISessionStore>(sp => sp.GetRequiredService<IStateStore>());
        services.AddSingleton<IIpLeaseStore>(sp => sp.GetRequiredService<IStateStore>());
        services.AddSingleton<INodeRegistry>(sp => sp.GetRequiredService<IStateStore>());
        services.AddSingleton<INodeCommandBus>(sp => sp.GetRequiredService<IStateStore>());
        services.AddSingleton<IStoreHealth>(sp => sp.GetRequiredService<IStateStore>());

        services.AddHealthChecks().AddCheck<StateStoreHealthCheck>(StateStoreHealthCheck.Name, tags: ["ready"]);

        if (snapshot.RunNodeHeartbeat)
        {
            services.TryAddSingleton<NodeHeartbeatService>();
            services.AddHostedService(sp => sp.GetRequiredService<NodeHeartbeatService>());
        }

        // Idle unless the session layer registers an INodeCommandHandler.
        services.AddHostedService<NodeCommandListener>();

        return services;
    }
}

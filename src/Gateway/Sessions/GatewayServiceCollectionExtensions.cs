using Admin;
using Admin.Backend;
using Gateway.ControlPlane;
using Gateway.Credentials;
using Gateway.Edge;
using Gateway.Ppp;
using Gateway.Ppp.Auth;
using Gateway.Sstp;
using Gateway.State;
using Gateway.Tunnel;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>Registers the SSTP/PPP core, users, data plane, session store and control plane behind the edge.</summary>
public static class GatewayServiceCollectionExtensions
{
    public static WebApplicationBuilder AddGatewayCore(this WebApplicationBuilder builder)
    {
        IServiceCollection services = builder.Services;
        IConfiguration config = builder.Configuration;
        services.TryAddSingleton(TimeProvider.System);

        // Protocol settings.
        services.AddOptions<SstpOptions>().Bind(config.GetSection(SstpOptions.SectionName));
        services.AddOptions<PppOptions>().Bind(config.GetSection(PppOptions.SectionName))
            .PostConfigure<IOptions<TunnelOptions>>((ppp, tunnel) =>
            {
                // The PPP MRU follows the tunnel MTU unless set explicitly (MS-SSTP 3.1.5.2: 1400 by default).
                if (config[$"{PppOptions.SectionName}:Mru"] is null)
                {
                    ppp.Mru = tunnel.Value.Mtu;
                }

                // A prefix pool means IPv6 in the data plane, which needs IPv6CP (RFC 5072) unless turned off explicitly.
                if (config[$"{PppOptions.SectionName}:Ipv6Enabled"] is null && tunnel.Value.Ipv6Enabled)
                {
                    ppp.Ipv6Enabled = true;
                }
            });
        services.AddOptions<PppAuthOptions>().Bind(config.GetSection(PppAuthOptions.SectionName));
        services.AddOptions<SessionOptions>().Bind(config.GetSection(SessionOptions.SectionName));

        // Users: configured ones plus the users file in the data directory.
        services.AddOptions<LocalCredentialStoreOptions>().Bind(config.GetSection(LocalCredentialStoreOptions.SectionName))
            .PostConfigure(o => o.UsersFile ??= UserDirectory.DefaultUsersFile(config));
        services.AddSingleton<LocalCredentialStore>();
        services.AddSingleton<ICredentialStore>(sp => sp.GetRequiredService<LocalCredentialStore>());
        services.AddSingleton<UserDirectory>();
        services.AddHostedService(sp => sp.GetRequiredService<UserDirectory>());
        services.AddSingleton<IServerAuthenticatorFactory, ServerAuthenticatorFactory>();

        // Data plane and session store; one address plan: the store's lease pool is the tunnel pool unless set apart.
        services.AddTunnel(config);
        services.AddSessionStore(config);
        services.PostConfigure<StateOptions>(state =>
        {
            if (config["State:Pool:Range"] is null)
            {
                TunnelOptions tunnel = config.GetSection(TunnelOptions.SectionName).Get<TunnelOptions>() ?? new TunnelOptions();
                state.Pool.Range = tunnel.Ipv4Pool;
                state.Pool.GatewayAddress = tunnel.GatewayAddress ?? "";
            }

            if (config["State:Ipv6Prefix"] is null)
            {
                state.Ipv6Prefix = config[$"{TunnelOptions.SectionName}:Ipv6Prefix"];
            }
        });

        // Sessions.
        services.AddSingleton<SessionRegistry>();
        services.AddSingleton<SessionMetrics>();
        services.AddSingleton<ISessionLeases>(sp => new StoreSessionLeases(
            sp.GetRequiredService<IStateStore>(), sp.GetRequiredService<IOptions<StateOptions>>()));
        services.AddSingleton<StoreSessionTracker>();
        services.AddSingleton<ISessionTracker>(sp => sp.GetRequiredService<StoreSessionTracker>());
        services.AddHostedService(sp => sp.GetRequiredService<StoreSessionTracker>());
        services.AddSingleton<ISstpConnectionHandler, SstpConnectionHandler>();
        services.AddSingleton<INodeCommandHandler, DisconnectCommandHandler>();
        services.AddHostedService<SessionShutdownService>();

        // Control plane: drain, readiness on the store, admin API backend.
        services.AddSingleton<DrainService>();
        services.AddHostedService(sp => sp.GetRequiredService<DrainService>());
        services.AddSingleton<StoreReadinessCheck>();
        services.AddSingleton<IReadinessCheck>(sp => sp.GetRequiredService<StoreReadinessCheck>());
        services.AddHostedService(sp => sp.GetRequiredService<StoreReadinessCheck>());
        services.AddSingleton<GatewayAdminBackend>();
        services.AddSingleton<ISessionAdmin>(sp => sp.GetRequiredService<GatewayAdminBackend>());
        services.AddSingleton<INodeAdmin>(sp => sp.GetRequiredService<GatewayAdminBackend>());
        services.AddSingleton<IPoolAdmin>(sp => sp.GetRequiredService<GatewayAdminBackend>());
        services.AddSingleton<IUserAdmin>(sp => sp.GetRequiredService<GatewayAdminBackend>());
        services.AddHostedService<ConnectionInstructions>();
        services.AddAdminApi(config);
        services.PostConfigure<AdminApiOptions>(o =>
        {
            if (o.ApiKeys.Count == 0 && AdminKeyFile.Read(config) is { } key)
            {
                o.ApiKeys.Add(key);
            }
        });
        return builder;
    }

    /// <summary>Maps the admin API on the management listener only.</summary>
    public static IEndpointRouteBuilder MapGatewayAdmin(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapAdminApi(ctx => ctx.Features.Get<EdgeConnectionFeature>()?.Kind == EdgeListenerKind.Management);
        return endpoints;
    }
}

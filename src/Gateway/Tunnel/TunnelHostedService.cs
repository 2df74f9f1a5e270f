using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gateway.Tunnel;

/// <summary>
/// Owns the lifetime of the data plane in the host: at start it creates the TUN device (resolving
/// <see cref="ITunDevice"/>), attaches the <see cref="PacketRouter"/> to it and, when <see cref="TunnelOptions.Nat"/>
/// is on, enables forwarding and masquerading; at stop it removes NAT and closes the device.
/// </summary>
public sealed class TunnelHostedService : IHostedService
{
    private readonly IServiceProvider _services;
    private readonly PacketRouter _router;
    private readonly TunnelOptions _options;
    private readonly ILogger _logger;
    private ITunDevice? _tun;
    private TunnelNat? _nat;

    public TunnelHostedService(IServiceProvider services, PacketRouter router, IOptions<TunnelOptions> options,
        ILogger<TunnelHostedService>? logger = null)
    {
        _services = services;
        _router = router;
        _options = options.Value;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The device once started.</summary>
    public ITunDevice? Device => _tun;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Ipv6Enabled)
        {
            // Fail at start, not in every session: the DNS list, the interval and an MTU of at least 1280.
            _ = _options.CreateIpv6RouterSettings();
        }

        _tun = (ITunDevice)(_services.GetService(typeof(ITunDevice))
            ?? throw new InvalidOperationException("No ITunDevice is registered."));
        _router.Attach(_tun);
        if (_options.Nat)
        {
            _nat = TunnelNat.Enable(_options.Ipv4Pool, _tun.Name, _options.NetworkNamespace, _logger);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _nat?.Dispose();
        _nat = null;
        _tun?.Dispose();
        return Task.CompletedTask;
    }
}

using Microsoft.Extensions.Logging;

namespace Gateway.Tunnel;

/// <summary>Source-generated log messages of the tunnel layer (event ids 4000-4099).</summary>
internal static partial class TunnelLog
{
    [LoggerMessage(4000, LogLevel.Information, "TUN device {Name} up: {Queues} queue(s), MTU {Mtu}, address {Address}")]
    public static partial void DeviceUp(ILogger logger, string name, int queues, int mtu, string address);

    [LoggerMessage(4001, LogLevel.Information, "TUN device {Name} closed")]
    public static partial void DeviceClosed(ILogger logger, string name);

    [LoggerMessage(4002, LogLevel.Error, "TUN device {Name} queue {Queue}: read failed with errno {Errno}; reader stopped")]
    public static partial void ReadFailed(ILogger logger, string name, int queue, int errno);

    [LoggerMessage(4003, LogLevel.Error, "TUN device {Name}: packet handler threw")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string name);

    [LoggerMessage(4004, LogLevel.Information, "NAT on: {Tool} masquerade for {Pool} (forwarding enabled)")]
    public static partial void NatEnabled(ILogger logger, string tool, string pool);

    [LoggerMessage(4005, LogLevel.Information, "NAT off: {Tool} masquerade for {Pool} removed")]
    public static partial void NatDisabled(ILogger logger, string tool, string pool);

    [LoggerMessage(4006, LogLevel.Warning, "NAT cleanup failed: {Message}")]
    public static partial void NatCleanupFailed(ILogger logger, string message);

    [LoggerMessage(4007, LogLevel.Information, "TUN device {Name}: offloads {Offloads} (IFF_VNET_HDR, super-packets are segmented in user space)")]
    public static partial void OffloadsOn(ILogger logger, string name, TunOffloads offloads);

    [LoggerMessage(4008, LogLevel.Warning, "TUN device {Name}: the kernel refused IFF_VNET_HDR/TUNSETOFFLOAD ({Message}); one read and write per packet")]
    public static partial void OffloadsRefused(ILogger logger, string name, string message);

    [LoggerMessage(4009, LogLevel.Debug, "TUN device {Name}: transmit ring {Before} -> {After} packets (bytes per read changed)")]
    public static partial void RingResized(ILogger logger, string name, int before, int after);

    [LoggerMessage(4010, LogLevel.Warning, "TUN device {Name}: SIOCSIFTXQLEN failed (errno {Errno}); the transmit ring keeps its length")]
    public static partial void RingResizeFailed(ILogger logger, string name, int errno);
}

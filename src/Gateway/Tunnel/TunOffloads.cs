namespace Gateway.Tunnel;

/// <summary>
/// TUN_F_* bits of TUNSETOFFLOAD (linux/if_tun.h): which super-packets and partial checksums the kernel may hand a
/// TUN reader that opened the device with IFF_VNET_HDR.
/// </summary>
[Flags]
public enum TunOffloads : uint
{
    None = 0,

    /// <summary>TUN_F_CSUM: packets may carry VIRTIO_NET_HDR_F_NEEDS_CSUM (required by every other bit).</summary>
    Checksum = 0x01,

    /// <summary>TUN_F_TSO4: TCP over IPv4 super-packets.</summary>
    Tso4 = 0x02,

    /// <summary>TUN_F_TSO6: TCP over IPv6 super-packets.</summary>
    Tso6 = 0x04,

    /// <summary>TUN_F_TSO_ECN: TCP super-packets with CWR set.</summary>
    TsoEcn = 0x08,

    /// <summary>TUN_F_USO4: UDP_L4 (UDP_SEGMENT) super-packets over IPv4 (Linux 6.2+).</summary>
    Uso4 = 0x20,

    /// <summary>TUN_F_USO6: UDP_L4 super-packets over IPv6 (Linux 6.2+).</summary>
    Uso6 = 0x40,
}

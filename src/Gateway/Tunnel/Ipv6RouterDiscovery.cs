using System.Buffers.Binary;

namespace Gateway.Tunnel;

/// <summary>
/// The gateway's side of IPv6 Router Discovery on a PPP link (RFC 4861 section 6; SLAAC, RFC 4862): which client
/// packets are for the gateway itself, whether one is a valid Router Solicitation, and building the Router
/// Advertisement that gives the client its /64 (Prefix Information with A=1), the link MTU and, when configured, DNS
/// servers (RDNSS, RFC 8106). Pure: spans in, spans out, nothing allocated.
/// </summary>
public static class Ipv6RouterDiscovery
{
    // ---- specification (RFC 4861 4.1, 4.2, 4.6; RFC 8106 5.1; RFC 4443 2.1) ----

    /// <summary>ICMPv6 type of a Router Solicitation (RFC 4861 4.1).</summary>
    public const byte RouterSolicitationType = 133;

    /// <summary>ICMPv6 type of a Router Advertisement (RFC 4861 4.2).</summary>
    public const byte RouterAdvertisementType = 134;

    /// <summary>Hop limit of every ND message; a receiver drops one with any other (RFC 4861 6.1.1, 6.1.2).</summary>
    public const byte NdHopLimit = 255;

    /// <summary>Option types: Prefix Information (4.6.2), MTU (4.6.4), Recursive DNS Server (RFC 8106 5.1).</summary>
    public const byte OptionPrefixInformation = 3, OptionMtu = 5, OptionRdnss = 25;

    /// <summary>Prefix Information flags (RFC 4861 4.6.2): on-link (L) and autonomous address configuration (A).</summary>
    public const byte PrefixFlagOnLink = 0x80, PrefixFlagAutonomous = 0x40;

    /// <summary>Most DNS servers one advertisement carries (RFC 8106 allows more; three is what resolvers use).</summary>
    public const int MaxDnsServers = 3;

    /// <summary>ff02::1, all-nodes on the link: where unsolicited advertisements go (RFC 4861 6.2.4).</summary>
    public static readonly UInt128 AllNodes = new(0xFF02_0000_0000_0000, 1);

    /// <summary>ff02::2, all-routers: where a client sends its solicitations (RFC 4861 6.3.7).</summary>
    public static readonly UInt128 AllRouters = new(0xFF02_0000_0000_0000, 2);

    private const int Ipv6Header = 40;
    private const int RaHeader = 16;
    private const int PrefixOption = 32;
    private const int MtuOption = 8;

    /// <summary>Largest advertisement <see cref="WriteRouterAdvertisement"/> writes.</summary>
    public const int MaxAdvertisementLength = Ipv6Header + RaHeader + PrefixOption + MtuOption + 8 + (16 * MaxDnsServers);

    /// <summary>fe80::/64 with the 64-bit interface identifier negotiated by IPv6CP (RFC 5072 5; RFC 4291 2.5.6).</summary>
    public static UInt128 LinkLocal(ulong interfaceId) => new(0xFE80_0000_0000_0000, interfaceId);

    /// <summary>fe80::/10 (RFC 4291 2.5.6).</summary>
    public static bool IsLinkLocal(UInt128 address) => (ulong)(address >> 118) == 0x3FA;

    /// <summary>ff00::/8 (RFC 4291 2.7).</summary>
    public static bool IsMulticast(UInt128 address) => (byte)(address >> 120) == 0xFF;

    /// <summary>
    /// True for a destination the gateway itself answers for on the PPP link: link-local and multicast addresses never
    /// leave the link (RFC 4291 2.5.6, 2.7), so such packets are never forwarded to the TUN device.
    /// </summary>
    public static bool IsForGateway(UInt128 destination) => IsLinkLocal(destination) || IsMulticast(destination);

    /// <summary>
    /// True when <paramref name="packet"/> (an IPv6 packet without extension headers, as <paramref name="header"/>
    /// parsed it) is a Router Solicitation that passes the checks of RFC 4861 6.1.1: hop limit 255, ICMPv6 checksum,
    /// code 0, length at least 8, every option of non-zero length, and no Source Link-Layer Address option when the
    /// source is unspecified.
    /// </summary>
    public static bool IsRouterSolicitation(ReadOnlySpan<byte> packet, in IpHeader header)
    {
        if (!header.IsIpv6 || header.Protocol != IpPacket.ProtocolIcmpV6 || packet.Length < header.TotalLength)
        {
            return false;
        }

        ReadOnlySpan<byte> icmp = packet[Ipv6Header..header.TotalLength];
        if (packet[7] != NdHopLimit || icmp.Length < 8 || icmp[0] != RouterSolicitationType || icmp[1] != 0)
        {
            return false;
        }

        if (!ChecksumValid(packet, icmp))
        {
            return false;
        }

        for (ReadOnlySpan<byte> options = icmp[8..]; !options.IsEmpty;)
        {
            int length = options.Length >= 2 ? options[1] * 8 : 0;
            if (length == 0 || length > options.Length || (header.Source == 0 && options[0] == 1))
            {
                return false;
            }

            options = options[length..];
        }

        return true;
    }

    /// <summary>
    /// Writes a Router Advertisement (RFC 4861 4.2) as a whole IPv6 packet from <paramref name="source"/> (the gateway's
    /// link-local address) to <paramref name="destination"/>: us as default router for
    /// <see cref="Ipv6RouterSettings.RouterLifetimeSeconds"/>, the /64 <paramref name="prefix"/> with L=1 and A=1 (the
    /// client forms its address by SLAAC, RFC 4862 5.5.3), the link MTU, and RDNSS when DNS servers are set. Returns the
    /// packet's length; <paramref name="buffer"/> holds at least <see cref="MaxAdvertisementLength"/> bytes.
    /// </summary>
    public static int WriteRouterAdvertisement(Span<byte> buffer, UInt128 source, UInt128 destination, UInt128 prefix,
        Ipv6RouterSettings settings)
    {
        ReadOnlySpan<UInt128> dns = settings.DnsServers;
        int dnsCount = Math.Min(dns.Length, MaxDnsServers);
        int icmpLength = RaHeader + PrefixOption + MtuOption + (dnsCount == 0 ? 0 : 8 + (16 * dnsCount));
        Span<byte> p = buffer[..(Ipv6Header + icmpLength)];
        Span<byte> icmp = StartNdMessage(p, source, destination, RouterAdvertisementType);
        icmp[4] = settings.CurrentHopLimit;
        // Flags M and O stay 0: addresses come from SLAAC and there is no DHCPv6 (DNS comes as RDNSS).
        BinaryPrimitives.WriteUInt16BigEndian(icmp[6..], settings.RouterLifetimeSeconds);
        // Reachable Time and Retrans Timer 0: unspecified (RFC 4861 4.2); a PPP link does no address resolution.

        Span<byte> o = icmp[RaHeader..];
        o[0] = OptionPrefixInformation;
        o[1] = PrefixOption / 8;
        o[2] = 64;
        o[3] = PrefixFlagOnLink | PrefixFlagAutonomous;
        BinaryPrimitives.WriteUInt32BigEndian(o[4..], settings.ValidLifetimeSeconds);
        BinaryPrimitives.WriteUInt32BigEndian(o[8..], settings.PreferredLifetimeSeconds);
        BinaryPrimitives.WriteUInt128BigEndian(o[16..], prefix & ~(UInt128)ulong.MaxValue);

        o = o[PrefixOption..];
        o[0] = OptionMtu;
        o[1] = MtuOption / 8;
        BinaryPrimitives.WriteUInt32BigEndian(o[4..], (uint)settings.Mtu);

        if (dnsCount > 0)
        {
            o = o[MtuOption..];
            o[0] = OptionRdnss;
            o[1] = (byte)(1 + (2 * dnsCount));
            BinaryPrimitives.WriteUInt32BigEndian(o[4..], settings.DnsLifetimeSeconds);
            for (int i = 0; i < dnsCount; i++)
            {
                BinaryPrimitives.WriteUInt128BigEndian(o[(8 + (16 * i))..], dns[i]);
            }
        }

        FinishNdMessage(p);
        return p.Length;
    }

    /// <summary>Length of the Router Solicitation <see cref="WriteRouterSolicitation"/> writes.</summary>
    public const int SolicitationLength = Ipv6Header + 8;

    /// <summary>
    /// The client's side (RFC 4861 6.3.7): a Router Solicitation from <paramref name="source"/> (its link-local
    /// address) to all-routers, without options (PPP has no link-layer address). Returns its length.
    /// </summary>
    public static int WriteRouterSolicitation(Span<byte> buffer, UInt128 source)
    {
        Span<byte> p = buffer[..SolicitationLength];
        StartNdMessage(p, source, AllRouters, RouterSolicitationType);
        FinishNdMessage(p);
        return SolicitationLength;
    }

    /// <summary>
    /// The client's side (SLAAC, RFC 4862 5.5.3): when <paramref name="packet"/> is a valid Router Advertisement
    /// (RFC 4861 6.1.2: link-local source, hop limit 255, code 0, checksum, sane option lengths) with a Prefix
    /// Information option of length 64 and A=1, returns that prefix (the first one) and its valid lifetime.
    /// </summary>
    public static bool TryReadAutonomousPrefix(ReadOnlySpan<byte> packet, in IpHeader header, out UInt128 prefix,
        out uint validLifetimeSeconds)
    {
        prefix = 0;
        validLifetimeSeconds = 0;
        if (!header.IsIpv6 || header.Protocol != IpPacket.ProtocolIcmpV6 || packet.Length < header.TotalLength
            || !IsLinkLocal(header.Source) || packet[7] != NdHopLimit)
        {
            return false;
        }

        ReadOnlySpan<byte> icmp = packet[Ipv6Header..header.TotalLength];
        if (icmp.Length < RaHeader || icmp[0] != RouterAdvertisementType || icmp[1] != 0)
        {
            return false;
        }

        if (!ChecksumValid(packet, icmp))
        {
            return false;
        }

        bool found = false;
        for (ReadOnlySpan<byte> options = icmp[RaHeader..]; !options.IsEmpty;)
        {
            int length = options.Length >= 2 ? options[1] * 8 : 0;
            if (length == 0 || length > options.Length)
            {
                return false;
            }

            ReadOnlySpan<byte> o = options[..length];
            if (!found && o[0] == OptionPrefixInformation && length == PrefixOption && o[2] == 64
                && (o[3] & PrefixFlagAutonomous) != 0)
            {
                uint valid = BinaryPrimitives.ReadUInt32BigEndian(o[4..]);
                uint preferred = BinaryPrimitives.ReadUInt32BigEndian(o[8..]);
                UInt128 p = BinaryPrimitives.ReadUInt128BigEndian(o[16..]);
                // RFC 4862 5.5.3 a) and c): never a link-local prefix, never preferred longer than valid.
                if (!IsLinkLocal(p) && preferred <= valid && valid > 0)
                {
                    prefix = p;
                    validLifetimeSeconds = valid;
                    found = true;
                }
            }

            options = options[length..];
        }

        return found;
    }

    /// <summary>
    /// Writes the IPv6 header of an ND message filling <paramref name="packet"/> (ICMPv6, hop limit 255, RFC 4861 4)
    /// and zeroes the rest; returns the ICMPv6 message with its type set.
    /// </summary>
    private static Span<byte> StartNdMessage(Span<byte> packet, UInt128 source, UInt128 destination, byte type)
    {
        packet.Clear();
        packet[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(packet[4..], (ushort)(packet.Length - Ipv6Header));
        packet[6] = IpPacket.ProtocolIcmpV6;
        packet[7] = NdHopLimit;
        BinaryPrimitives.WriteUInt128BigEndian(packet[8..], source);
        BinaryPrimitives.WriteUInt128BigEndian(packet[24..], destination);
        Span<byte> icmp = packet[Ipv6Header..];
        icmp[0] = type;
        return icmp;
    }

    /// <summary>RFC 4443 2.3: the checksum covers the pseudo-header (RFC 8200 8.1) and the whole ICMPv6 message.</summary>
    private static void FinishNdMessage(Span<byte> packet)
    {
        Span<byte> icmp = packet[Ipv6Header..];
        ulong sum = InternetChecksum.Add(IpPacket.PseudoHeaderSum(packet, isIpv6: true, IpPacket.ProtocolIcmpV6, icmp.Length), icmp);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], (ushort)~InternetChecksum.Fold(sum));
    }

    private static bool ChecksumValid(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> icmp) =>
        InternetChecksum.Fold(InternetChecksum.Add(
            IpPacket.PseudoHeaderSum(packet, isIpv6: true, IpPacket.ProtocolIcmpV6, icmp.Length), icmp)) == 0xFFFF;
}

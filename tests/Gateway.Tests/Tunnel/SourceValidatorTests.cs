using FsCheck.Xunit;
using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

public class SourceValidatorTests
{
    private static readonly SessionAddresses V4Only = new(TestPackets.V4("10.213.0.2"));
    private static readonly SessionAddresses Dual = new(TestPackets.V4("10.213.0.2"), TestPackets.V6("fd00:213::"), 64);

    [Fact]
    public void Own_ipv4_source_passes()
    {
        Assert.Equal(SourceCheck.Ok, SourceValidator.Check(V4Only, TestPackets.Bytes(TestPackets.V4Syn), out IpHeader h));
        Assert.Equal(TestPackets.V4("10.213.1.1"), h.DestinationV4);
    }

    [Fact]
    public void Foreign_ipv4_source_is_spoofed()
    {
        Assert.Equal(SourceCheck.Spoofed, SourceValidator.Check(V4Only, TestPackets.Bytes(TestPackets.V4SynAck), out _));
        byte[] p = TestPackets.Udp4("10.213.0.3", "10.213.1.1", 1, 2, [9]);
        Assert.Equal(SourceCheck.Spoofed, SourceValidator.Check(V4Only, p, out _));
    }

    [Fact]
    public void Ipv6_source_must_be_in_the_assigned_prefix()
    {
        Assert.Equal(SourceCheck.Spoofed, SourceValidator.Check(V4Only, TestPackets.Bytes(TestPackets.V6Syn), out _));
        Assert.Equal(SourceCheck.Ok, SourceValidator.Check(Dual, TestPackets.Bytes(TestPackets.V6Syn), out _)); // fd00:213::2
        Assert.Equal(SourceCheck.Spoofed, SourceValidator.Check(Dual, TestPackets.Bytes(TestPackets.V6SynAck), out _)); // fd00:213:1::1
        var host = new SessionAddresses(0, TestPackets.V6("fd00:213::3"), 128);
        Assert.Equal(SourceCheck.Spoofed, SourceValidator.Check(host, TestPackets.Bytes(TestPackets.V6Syn), out _));
        Assert.Equal(SourceCheck.Spoofed, SourceValidator.Check(host, TestPackets.Bytes(TestPackets.V4Syn), out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SessionAddresses(1, UInt128.One, 96));
    }

    [Fact]
    public void Link_local_and_unspecified_sources_pass_only_toward_the_gateway()
    {
        Assert.Equal(SourceCheck.Ok, SourceValidator.Check(Dual, TestPackets.Udp6("fe80::2", "ff02::2", 8), out _));
        Assert.Equal(SourceCheck.Ok, SourceValidator.Check(Dual, TestPackets.Udp6("::", "ff02::1:ff00:2", 8), out _));
        Assert.Equal(SourceCheck.Ok, SourceValidator.Check(Dual, TestPackets.Udp6("fe80::2", "fe80::1", 8), out _));
        // Before the /64 is routed a client already solicits (RFC 4861 6.3.7).
        Assert.Equal(SourceCheck.Ok, SourceValidator.Check(V4Only, TestPackets.Udp6("fe80::2", "ff02::2", 8), out _));
        Assert.Equal(SourceCheck.Spoofed, SourceValidator.Check(Dual, TestPackets.Udp6("fe80::2", "2001:db8::1", 8), out _));
        Assert.Equal(SourceCheck.Spoofed, SourceValidator.Check(Dual, TestPackets.Udp6("::", "2001:db8::1", 8), out _));
        Assert.Equal(SourceCheck.Spoofed, SourceValidator.Check(Dual, TestPackets.Udp6("2001:db8::9", "ff02::2", 8), out _));
    }

    [Fact]
    public void Truncated_is_malformed()
    {
        byte[] p = TestPackets.Bytes(TestPackets.V4Syn);
        Assert.Equal(SourceCheck.Malformed, SourceValidator.Check(V4Only, p.AsSpan(0, 19), out _));
        Assert.Equal(SourceCheck.Malformed, SourceValidator.Check(V4Only, p.AsSpan(0, 59), out _));
    }

    [Property(MaxTest = 1000)]
    public bool Garbage_never_passes_unless_it_is_a_valid_header_from_us(byte[] data)
    {
        data ??= [];
        SourceCheck check = SourceValidator.Check(V4Only, data, out IpHeader h);
        return check != SourceCheck.Ok || (h.IsIpv4 && h.SourceV4 == V4Only.Ipv4)
            || (h.IsIpv6 && Ipv6RouterDiscovery.IsForGateway(h.Destination));
    }
}

using System.Net;
using Gateway.Ppp;
using Gateway.Ppp.Auth;

namespace Gateway.Tests.Ppp;

public class NetworkPhaseServerTests
{
    private readonly ServerHarness _h = new();

    [Fact]
    public void Successful_authentication_raises_authenticated_with_hlak_then_address_required()
    {
        _h.Authenticate();
        Assert.Equal(["authenticated alice", "address-required alice"], _h.Events.Log);
        Assert.Equal(FakeServerAuthenticator.TestHlak, _h.Events.Hlak);
        Assert.Equal("alice", _h.Server.UserName);
    }

    [Fact]
    public void Failed_authentication_terminates_lcp()
    {
        _h.OpenLcp();
        _h.Send("FF 03 C0 23 01 07 00 07 62 6F 62");
        List<byte[]> frames = _h.Sink.Take();
        Assert.Equal("FF 03 C0 23 03 07 00 04", Hex.Of(frames[0]));
        Assert.Equal("FF 03 C0 21 05 02 00 04", Hex.Of(frames[1]));
        Assert.Equal(["auth-failed bob: unknown user"], _h.Events.Log);
        _h.Send("FF 03 C0 21 06 02 00 04");
        Assert.True(_h.Server.IsTerminated);
        Assert.Equal("terminated authentication failed: unknown user", _h.Events.Log[^1]);
    }

    [Fact]
    public void Authentication_times_out()
    {
        _h.OpenLcp();
        Assert.Equal(30000, _h.Server.NextDeadlineMs);
        _h.Server.OnTimer(30000);
        Assert.Equal(["auth-failed : authentication timed out"], _h.Events.Log);
        Assert.Equal(NegotiationState.Closing, _h.Server.LcpState);
    }

    [Fact]
    public void Ipcp_before_authentication_is_dropped()
    {
        _h.OpenLcp();
        Assert.Equal(PppReceiveKind.Dropped, _h.Send("FF 03 80 21 01 01 00 0A 03 06 00 00 00 00").Kind);
        Assert.Empty(_h.Sink.Frames);
    }

    [Fact]
    public void Client_request_before_addresses_is_kept_and_answered_after_SetAddresses()
    {
        _h.Authenticate();
        Assert.Equal(PppReceiveKind.Consumed, _h.Send("FF 03 80 21 01 01 00 0A 03 06 00 00 00 00").Kind);
        _h.Send("FF 03 80 21 01 02 00 10 03 06 00 00 00 00 81 06 00 00 00 00");
        Assert.Empty(_h.Sink.Frames);

        _h.Server.SetAddresses(ServerHarness.Assignment, 0);
        List<byte[]> frames = _h.Sink.Take();
        Assert.Equal(2, frames.Count);
        Assert.Equal("FF 03 80 21 01 01 00 0A 03 06 0A 00 00 01", Hex.Of(frames[0]));
        Assert.Equal("FF 03 80 21 03 02 00 10 03 06 0A 00 00 02 81 06 08 08 08 08", Hex.Of(frames[1]));
    }

    [Fact]
    public void Windows_ipcp_request_gets_NBNS_rejected_then_address_and_DNS_Nakd_then_Acked()
    {
        _h.Authenticate();
        _h.Server.SetAddresses(ServerHarness.Assignment, 0);
        _h.Sink.Take();

        _h.Send("FF 03 80 21 01 01 00 22 03 06 00 00 00 00 81 06 00 00 00 00 82 06 00 00 00 00 83 06 00 00 00 00 84 06 00 00 00 00");
        Assert.Equal("FF 03 80 21 04 01 00 10 82 06 00 00 00 00 84 06 00 00 00 00", Hex.Of(_h.Sink.Single()));

        _h.Send("FF 03 80 21 01 02 00 16 03 06 00 00 00 00 81 06 00 00 00 00 83 06 00 00 00 00");
        Assert.Equal("FF 03 80 21 03 02 00 16 03 06 0A 00 00 02 81 06 08 08 08 08 83 06 08 08 04 04", Hex.Of(_h.Sink.Single()));

        _h.Send("FF 03 80 21 01 03 00 16 03 06 0A 00 00 02 81 06 08 08 08 08 83 06 08 08 04 04");
        Assert.Equal("FF 03 80 21 02 03 00 16 03 06 0A 00 00 02 81 06 08 08 08 08 83 06 08 08 04 04", Hex.Of(_h.Sink.Single()));
        Assert.Equal(NegotiationState.AckSent, _h.Server.IpcpState);

        _h.Send("FF 03 80 21 02 01 00 0A 03 06 0A 00 00 01");
        Assert.Equal(NegotiationState.Opened, _h.Server.IpcpState);
        Assert.Equal("network-up 10.0.0.2", _h.Events.Log[^1]);
    }

    [Fact]
    public void Compression_and_obsolete_IP_Addresses_are_rejected()
    {
        _h.Authenticate();
        _h.Server.SetAddresses(ServerHarness.Assignment, 0);
        _h.Sink.Take();
        _h.Send("FF 03 80 21 01 03 00 14 02 06 00 2D 0F 01 01 0A 00 00 00 00 00 00 00 00");
        Assert.Equal("FF 03 80 21 04 03 00 14 02 06 00 2D 0F 01 01 0A 00 00 00 00 00 00 00 00", Hex.Of(_h.Sink.Single()));
    }

    [Fact]
    public void Specific_address_other_than_the_assigned_one_is_Nakd()
    {
        _h.Authenticate();
        _h.Server.SetAddresses(ServerHarness.Assignment, 0);
        _h.Sink.Take();
        _h.Send("FF 03 80 21 01 04 00 0A 03 06 C0 A8 01 05");
        Assert.Equal("FF 03 80 21 03 04 00 0A 03 06 0A 00 00 02", Hex.Of(_h.Sink.Single()));
    }

    [Fact]
    public void Missing_address_option_is_requested_with_a_Nak()
    {
        _h.Authenticate();
        _h.Server.SetAddresses(ServerHarness.Assignment, 0);
        _h.Sink.Take();
        _h.Send("FF 03 80 21 01 04 00 04");
        Assert.Equal("FF 03 80 21 03 04 00 0A 03 06 0A 00 00 02", Hex.Of(_h.Sink.Single()));
    }

    [Fact]
    public void Dns_without_configured_server_is_rejected()
    {
        _h.Authenticate();
        _h.Server.SetAddresses(new PppAddressAssignment(IPAddress.Parse("10.0.0.2"), IPAddress.Parse("10.0.0.1")), 0);
        _h.Sink.Take();
        _h.Send("FF 03 80 21 01 01 00 10 03 06 0A 00 00 02 81 06 00 00 00 00");
        Assert.Equal("FF 03 80 21 04 01 00 0A 81 06 00 00 00 00", Hex.Of(_h.Sink.Single()));
    }

    [Fact]
    public void Dns_falls_back_to_configured_defaults()
    {
        var h = new ServerHarness(new PppOptions { AuthMethods = [AuthMethod.Pap], DnsServers = ["1.1.1.1"] });
        h.Authenticate();
        h.Server.SetAddresses(new PppAddressAssignment(IPAddress.Parse("10.0.0.2"), IPAddress.Parse("10.0.0.1")), 0);
        h.Sink.Take();
        h.Send("FF 03 80 21 01 01 00 16 03 06 0A 00 00 02 81 06 00 00 00 00 83 06 00 00 00 00");
        Assert.Equal("FF 03 80 21 04 01 00 0A 83 06 00 00 00 00", Hex.Of(h.Sink.Single()));
        h.Send("FF 03 80 21 01 02 00 10 03 06 0A 00 00 02 81 06 00 00 00 00");
        Assert.Equal("FF 03 80 21 03 02 00 0A 81 06 01 01 01 01", Hex.Of(h.Sink.Single()));
    }

    [Fact]
    public void Ipv4_flows_only_while_Ipcp_is_opened_and_with_any_header_form()
    {
        _h.Authenticate();
        Assert.Equal(PppReceiveKind.Dropped, _h.Send("FF 03 00 21 45 00").Kind);
        _h.Sink.Take();
        _h.CompleteIpcp();

        Assert.Equal(new PppReceiveResult(PppReceiveKind.IPv4, 4, 3), _h.Send("FF 03 00 21 45 00 01"));
        Assert.Equal(new PppReceiveResult(PppReceiveKind.IPv4, 3, 2), _h.Send("FF 03 21 45 00"));
        Assert.Equal(new PppReceiveResult(PppReceiveKind.IPv4, 1, 2), _h.Send("21 45 00"));
        Assert.Equal(new PppReceiveResult(PppReceiveKind.IPv4, 2, 2), _h.Send("00 21 45 00"));
        Assert.Equal(PppReceiveKind.Dropped, _h.Send("FF 03 00 57 60 00").Kind);
        Assert.Empty(_h.Sink.Frames);

        Assert.True(_h.Server.SendIPv4(Hex.Parse("45 00 00 14")));
        Assert.Equal("FF 03 00 21 45 00 00 14", Hex.Of(_h.Sink.Single()));
        Assert.False(_h.Server.SendIPv6(Hex.Parse("60 00")));
    }

    [Fact]
    public void Ipv6cp_is_Protocol_Rejected_when_disabled()
    {
        _h.Authenticate();
        _h.Send("FF 03 80 57 01 01 00 0E 01 0A 00 00 00 00 00 00 00 00");
        Assert.Equal("FF 03 C0 21 08 02 00 14 80 57 01 01 00 0E 01 0A 00 00 00 00 00 00 00 00", Hex.Of(_h.Sink.Single()));
    }

    [Fact]
    public void Ipv6cp_Naks_zero_identifier_and_opens()
    {
        var h = new ServerHarness(new PppOptions { AuthMethods = [AuthMethod.MsChapV2], Ipv6Enabled = true });
        h.Authenticate();
        h.Send("FF 03 80 57 01 01 00 12 01 0A 00 00 00 00 00 00 00 00 02 04 00 4F");
        Assert.Empty(h.Sink.Frames);
        h.Server.SetAddresses(ServerHarness.Assignment, 0);
        List<byte[]> frames = h.Sink.Take();
        Assert.Equal(
            [
                "FF 03 80 21 01 01 00 0A 03 06 0A 00 00 01",
                "FF 03 80 57 01 01 00 0E 01 0A 00 00 00 00 00 00 00 01",
                "FF 03 80 57 04 01 00 08 02 04 00 4F",
            ],
            frames.Select(f => Hex.Of(f)));

        h.Send("FF 03 80 57 01 02 00 0E 01 0A 00 00 00 00 00 00 00 00");
        Assert.Equal("FF 03 80 57 03 02 00 0E 01 0A 00 00 00 00 00 00 00 02", Hex.Of(h.Sink.Single()));
        h.Send("FF 03 80 57 01 03 00 0E 01 0A 00 00 00 00 00 00 00 01");
        Assert.Equal(CpCode.ConfigureNak, h.Sink.Single()[4]);

        h.Send("FF 03 80 57 01 04 00 0E 01 0A 00 00 00 00 00 00 00 02");
        h.Send("FF 03 80 57 02 01 00 0E 01 0A 00 00 00 00 00 00 00 01");
        Assert.Equal(NegotiationState.Opened, h.Server.Ipv6cpState);
        Assert.Equal("ipv6-up 0000000000000001 0000000000000002", h.Events.Log[^1]);
        Assert.Equal(new PppReceiveResult(PppReceiveKind.IPv6, 4, 2), h.Send("FF 03 00 57 60 00"));
    }

    [Fact]
    public void Lcp_termination_takes_the_network_down()
    {
        _h.OpenIpcp();
        _h.Send("FF 03 C0 21 05 09 00 04");
        Assert.Equal("network-down", _h.Events.Log[^1]);
        Assert.Equal(PppReceiveKind.Dropped, _h.Send("FF 03 00 21 45 00").Kind);
    }

    [Fact]
    public void Lower_down_reports_termination_once()
    {
        _h.OpenIpcp();
        _h.Server.LowerDown();
        _h.Server.LowerDown();
        Assert.True(_h.Server.IsTerminated);
        Assert.Equal(["network-down", "terminated lower layer down"], _h.Events.Log.Skip(3));
    }

    [Fact]
    public void Protocol_Reject_of_Ipcp_closes_the_link()
    {
        _h.Authenticate();
        _h.Server.SetAddresses(ServerHarness.Assignment, 0);
        _h.Sink.Take();
        _h.Send("FF 03 C0 21 08 09 00 0A 80 21 01 01 00 04");
        Assert.Equal(NegotiationState.Closing, _h.Server.LcpState);
        Assert.Equal(CpCode.TerminateRequest, _h.Sink.Single()[4]);
    }

    [Fact]
    public void Address_can_be_set_synchronously_from_the_event()
    {
        _h.Events.AddressRequired = _ => _h.Server.SetAddresses(ServerHarness.Assignment, _h.Now);
        _h.OpenLcp();
        _h.Send("FF 03 C0 23 01 07 00 09 61 6C 69 63 65");
        List<byte[]> frames = _h.Sink.Take();
        Assert.Equal("FF 03 C0 23 02 07 00 04", Hex.Of(frames[0]));
        Assert.Equal("FF 03 80 21 01 01 00 0A 03 06 0A 00 00 01", Hex.Of(frames[1]));
    }

    [Fact]
    public void SetAddresses_rejects_bad_assignments()
    {
        Assert.Throws<ArgumentException>(() => _h.Server.SetAddresses(
            new PppAddressAssignment(IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.1")), 0));
        Assert.Throws<ArgumentException>(() => _h.Server.SetAddresses(
            new PppAddressAssignment(IPAddress.IPv6Loopback, IPAddress.Parse("10.0.0.1")), 0));
    }
}

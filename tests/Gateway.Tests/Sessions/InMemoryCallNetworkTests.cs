using System.Net;
using Gateway.Ppp;
using Gateway.Sstp;
using static Gateway.Tests.Sessions.InMemoryCallPackets;

namespace Gateway.Tests.Sessions;

/// <summary>Whole calls and the network phase: an address lease that takes time, IPv6CP on one or both ends.</summary>
public class InMemoryCallNetworkTests
{
    private static readonly IPAddress LinkLocalClient = IPAddress.Parse("fe80::2");
    private static readonly IPAddress Remote6 = IPAddress.Parse("2001:db8::10");

    [Fact]
    public void Late_address_answers_the_clients_latest_ipcp_request()
    {
        var call = new InMemoryCall { HoldAddress = true };
        call.Start();

        // SSTP is connected (the binding does not wait for the address), IPCP waits for the lease.
        Assert.Equal(SstpState.CallConnected, call.Server.State);
        Assert.Equal(SstpState.CallConnected, call.Client.State);
        Assert.Null(call.ClientNetworkUp);
        Assert.Equal(NegotiationState.Initial, call.ServerPpp.IpcpState);
        Assert.False(call.SendFromServer(IcmpEcho(Remote4, InMemoryCall.ClientAddress, 1, 1)));

        // The client retransmits its Configure-Request every 3 s meanwhile; the server answers none of them yet.
        call.AdvanceTo(10_000);
        Assert.Equal(4, PppPackets(call, CallSide.Client, PppProtocol.Ipcp).Count(p => p[0] == 1));
        Assert.Empty(PppPackets(call, CallSide.Server, PppProtocol.Ipcp));

        call.ReleaseAddress();

        Assert.Equal((InMemoryCall.ClientAddress, InMemoryCall.GatewayAddress, InMemoryCall.Dns1, InMemoryCall.Dns2), call.ClientNetworkUp!.Value);
        Assert.Equal(InMemoryCall.ClientAddress, call.ServerNetworkUp);
        InMemoryCallConnectTests.AssertIpFlowsBothWays(call);
    }

    [Fact]
    public void No_address_for_the_user_ends_the_call_gracefully_with_that_reason()
    {
        var call = new InMemoryCall { HoldAddress = true };
        call.Start();
        call.AdvanceTo(2_000);
        int before = call.Wire.Count;

        // What GatewaySession does when the pool is exhausted.
        call.ServerDisconnect("address pool exhausted");

        Assert.Equal(
            [(CallSide.Server, (SstpMessageType?)null), (CallSide.Client, null), (CallSide.Server, SstpMessageType.CallDisconnect), (CallSide.Client, SstpMessageType.CallDisconnectAck)],
            call.Wire.Skip(before).Select(p => (p.From, p.MessageType)));
        Assert.Equal(2_000, call.ServerClosedAt);
        Assert.Equal("address pool exhausted", call.Server.CloseReason);
        call.AdvanceTo(3_000);
        Assert.Equal(3_000, call.ClientClosedAt);
        Assert.Null(call.ClientNetworkUp);
    }

    [Fact]
    public void Ipv6cp_on_both_ends_carries_ipv6_both_ways()
    {
        var call = new InMemoryCall(new InMemoryCallOptions
        {
            ServerPpp = new PppOptions { Ipv6Enabled = true },
            ClientPpp = new PppClientOptions { Ipv6Enabled = true },
        });
        call.Connect();

        Assert.NotNull(call.ServerIpv6Up);
        Assert.NotNull(call.ClientIpv6Up);
        (ulong serverLocal, ulong serverPeer) = call.ServerIpv6Up.Value;
        Assert.Equal((serverPeer, serverLocal), call.ClientIpv6Up.Value);
        Assert.NotEqual(0UL, serverLocal);
        Assert.NotEqual(serverLocal, serverPeer);
        Assert.Equal(NegotiationState.Opened, call.ServerPpp.Ipv6cpState);

        byte[] up = Icmpv6Echo(LinkLocalClient, Remote6, 5, 1);
        Assert.True(call.SendFromClient(up));
        var received = Assert.Single(call.ServerReceivedIp);
        Assert.Equal(SstpInputKind.IPv6, received.Kind);
        Assert.Equal(up, received.Packet);

        byte[] down = Icmpv6Echo(Remote6, LinkLocalClient, 5, 2, payloadLength: 1000);
        Assert.True(call.SendFromServerFastPath(down));
        Assert.True(call.SendFromServer(down));
        Assert.Equal(2, call.ClientReceivedIp.Count);
        Assert.All(call.ClientReceivedIp, r =>
        {
            Assert.Equal(SstpInputKind.IPv6, r.Kind);
            Assert.Equal(down, r.Packet);
        });
        InMemoryCallConnectTests.AssertIpFlowsBothWays(call);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Ipv6cp_on_one_end_only_is_rejected_and_ipv4_still_works(bool server, bool client)
    {
        var call = new InMemoryCall(new InMemoryCallOptions
        {
            ServerPpp = new PppOptions { Ipv6Enabled = server },
            ClientPpp = new PppClientOptions { Ipv6Enabled = client },
        });
        call.Connect();

        // RFC 1661 5.7: the end without IPv6CP answers with Protocol-Reject (LCP code 8) of 0x8057.
        CallSide rejecter = server ? CallSide.Client : CallSide.Server;
        byte[] reject = Assert.Single(PppPackets(call, rejecter, PppProtocol.Lcp), p => p[0] == 8);
        Assert.Equal(new byte[] { 0x80, 0x57 }, reject.AsSpan(4, 2).ToArray());
        Assert.Null(call.ServerIpv6Up);
        Assert.Null(call.ClientIpv6Up);
        Assert.False(call.SendFromClient(Icmpv6Echo(LinkLocalClient, Remote6, 1, 1)));
        Assert.False(call.SendFromServer(Icmpv6Echo(Remote6, LinkLocalClient, 1, 1)));
        Assert.Empty(call.ServerReceivedIp);

        // The last-NCP rule (RFC 1661 3.5) must not take the link down while IPCP is up.
        Assert.Equal(NegotiationState.Opened, call.ServerPpp.LcpState);
        call.AdvanceTo(60_000);
        Assert.Equal(SstpState.CallConnected, call.Server.State);
        InMemoryCallConnectTests.AssertIpFlowsBothWays(call);
    }

    private static readonly IPAddress Remote4 = IPAddress.Parse("192.0.2.10");
}

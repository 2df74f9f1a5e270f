using Gateway.Ppp;
using Gateway.Ppp.Auth;
using Gateway.Sstp;
using static Gateway.Tests.Sessions.InMemoryCallPackets;

namespace Gateway.Tests.Sessions;

/// <summary>Whole calls against the fake clock: negotiation timer, Hello timer, graceful disconnect.</summary>
public class InMemoryCallTimerTests
{
    [Fact]
    public void Server_hearing_nothing_aborts_at_exactly_60_s_then_closes_3_s_later()
    {
        var call = new InMemoryCall();
        call.StartServer();
        Assert.Equal(SstpState.ConnectRequestPending, call.Server.State);
        Assert.Equal(60_000, call.Server.NextDeadlineMs);

        call.AdvanceTo(59_999);
        Assert.Empty(call.Wire);
        Assert.Equal(SstpState.ConnectRequestPending, call.Server.State);

        call.AdvanceTo(60_000);
        WirePacket abort = Assert.Single(call.Wire);
        Assert.Equal((CallSide.Server, 60_000L, SstpMessageType.CallAbort), (abort.From, abort.AtMs, abort.MessageType.GetValueOrDefault()));

        // Status Info: AttribID 0 (no attribute), status 8 = NEGOTIATION_TIMEOUT (MS-SSTP 2.2.8, 3.3.2.1).
        Assert.Equal(Convert.FromHexString("10010014" + "00050001" + "0002000C" + "00000000" + "00000008"), abort.Bytes);
        Assert.Equal(SstpStatus.NegotiationTimeout, call.Server.AbortStatusSent!.Value.Status);
        Assert.Equal(SstpState.CallAbortPending, call.Server.State);

        // Nobody answers: TIMER_VAL_ABORT_STATE_TIMER_1 (3 s).
        call.AdvanceTo(62_999);
        Assert.False(call.Server.IsClosed);
        call.AdvanceTo(63_000);
        Assert.Equal(63_000, call.ServerClosedAt);
        Assert.Single(call.Wire);
    }

    [Fact]
    public void Client_silent_after_its_request_is_aborted_60_s_after_the_ack()
    {
        // PPP would give up on its own after Max-Configure x Restart = 30 s (next test): keep LCP trying longer so
        // only the SSTP negotiation timer (Server_Call_Connected_Pending, 60 s) can end the call.
        var call = new InMemoryCall(new InMemoryCallOptions { ServerPpp = new PppOptions { MaxConfigure = 40 } });
        call.StartServer();
        call.AdvanceTo(5_000);
        call.DropFilter = p => p.From == CallSide.Client && p.MessageType != SstpMessageType.CallConnectRequest;
        call.StartClient();

        WirePacket ack = Assert.Single(call.Controls(CallSide.Server, SstpMessageType.CallConnectAck));
        Assert.Equal(5_000, ack.AtMs);
        Assert.Equal(SstpState.CallConnectedPending, call.Server.State);

        call.AdvanceTo(64_999);
        Assert.Empty(call.Controls(CallSide.Server, SstpMessageType.CallAbort));
        Assert.Equal(SstpState.CallConnectedPending, call.Server.State);

        call.AdvanceTo(65_000);
        WirePacket abort = Assert.Single(call.Controls(CallSide.Server, SstpMessageType.CallAbort));
        Assert.Equal(65_000, abort.AtMs);
        Assert.Equal(new SstpStatusInfo(SstpAttributeId.NoError, SstpStatus.NegotiationTimeout).Status, call.Server.AbortStatusSent!.Value.Status);
        Assert.Equal(SstpAttributeId.NoError, call.Server.AbortStatusSent!.Value.AttributeId);
        Assert.True(call.ServerPpp.IsTerminated);

        // The client's CALL_ABORT answer is lost too (it is silent): TIMER_1.
        call.AdvanceTo(67_999);
        Assert.False(call.Server.IsClosed);
        call.AdvanceTo(68_000);
        Assert.Equal(68_000, call.ServerClosedAt);
    }

    [Fact]
    public void Client_silent_after_its_request_with_default_ppp_timers_ends_when_lcp_gives_up()
    {
        // Behaviour worth knowing: with the RFC 1661 defaults (10 Configure-Requests, 3 s apart) the server's LCP
        // gives up 30 s after the ACK, PPP is terminated, and SSTP ends the call with CALL_DISCONNECT well before
        // the 60 s negotiation timer; unanswered, TIMER_VAL_DISCONNECT_STATE_TIMER_1 (5 s) closes it.
        var call = new InMemoryCall();
        call.StartServer();
        call.AdvanceTo(5_000);
        call.DropFilter = p => p.From == CallSide.Client && p.MessageType != SstpMessageType.CallConnectRequest;
        call.StartClient();

        call.AdvanceTo(34_999);
        List<byte[]> requests = PppPackets(call, CallSide.Server, PppProtocol.Lcp);
        Assert.Equal(10, requests.Count);
        Assert.All(requests, r => Assert.Equal(1, r[0]));
        Assert.Equal(
            Enumerable.Range(0, 10).Select(i => 5_000L + (i * 3_000)),
            call.From(CallSide.Server).Where(p => p.TryGetPpp(out _, out _)).Select(p => p.AtMs));
        Assert.Empty(call.Controls(CallSide.Server, SstpMessageType.CallDisconnect));

        call.AdvanceTo(35_000);
        Assert.Equal(35_000, Assert.Single(call.Controls(CallSide.Server, SstpMessageType.CallDisconnect)).AtMs);
        Assert.Equal("negotiation timed out (Max-Configure)", call.ServerLinkTerminated);
        Assert.Null(call.Server.AbortStatusSent);
        Assert.Equal(SstpState.CallDisconnectAckPending, call.Server.State);

        call.AdvanceTo(39_999);
        Assert.False(call.Server.IsClosed);
        call.AdvanceTo(40_000);
        Assert.Equal(40_000, call.ServerClosedAt);
        Assert.Empty(call.Controls(CallSide.Server, SstpMessageType.CallAbort));
    }

    [Fact]
    public void Client_whose_authentication_answers_are_lost_is_disconnected_after_30_s()
    {
        var call = new InMemoryCall(new InMemoryCallOptions { Method = AuthMethod.MsChapV2 });
        call.DropFilter = p => p.From == CallSide.Client && p.TryGetPpp(out ushort protocol, out _) && protocol == PppProtocol.Chap;
        call.Start();

        // Challenge retransmitted every 3 s (10 transmissions), then PppAuthOptions.TimeoutMs (30 s) fails it.
        call.AdvanceTo(29_999);
        Assert.Equal(
            Enumerable.Range(0, 10).Select(i => i * 3_000L),
            call.From(CallSide.Server).Where(p => p.TryGetPpp(out ushort protocol, out _) && protocol == PppProtocol.Chap).Select(p => p.AtMs));
        Assert.Equal(SstpState.CallConnectedPending, call.Server.State);

        call.AdvanceTo(30_000);
        Assert.Equal("no answer from the peer within 30000 ms", call.ServerAuthFailure);
        Assert.Equal("the server did not finish authentication within 30000 ms", call.ClientAuthFailure);
        Assert.Equal(30_000, Assert.Single(call.Controls(CallSide.Server, SstpMessageType.CallDisconnect)).AtMs);
        Assert.Empty(call.Controls(CallSide.Server, SstpMessageType.CallAbort));

        // Both ends gave up at once: the CALL_DISCONNECTs cross, TIMER_2 (1 s) closes both.
        call.AdvanceTo(31_000);
        Assert.Equal(31_000, call.ServerClosedAt);
        Assert.Equal(31_000, call.ClientClosedAt);
    }

    [Fact]
    public void Connected_client_gone_silent_gets_an_echo_request_then_is_dropped_without_abort()
    {
        var call = new InMemoryCall();
        call.Connect();

        // Last thing the server hears from the client: an IP packet at 5 s; the Hello timer restarts from it.
        call.AdvanceTo(5_000);
        Assert.True(call.SendFromClient(IcmpEcho(InMemoryCall.ClientAddress, InMemoryCall.GatewayAddress, 9, 1)));
        Assert.Single(call.ServerReceivedIp);
        call.BlockClientToServer = true;

        call.AdvanceTo(24_999);
        Assert.Empty(call.Controls(CallSide.Server, SstpMessageType.EchoRequest));
        call.AdvanceTo(25_000);
        WirePacket echo = Assert.Single(call.Controls(CallSide.Server, SstpMessageType.EchoRequest));
        Assert.Equal(25_000, echo.AtMs);
        Assert.Equal(Convert.FromHexString("10010008" + "00080000"), echo.Bytes);

        // The client answers, but nothing reaches the server: one more interval, then the server drops the call.
        Assert.Contains(call.Controls(CallSide.Client, SstpMessageType.EchoResponse), p => p.AtMs == 25_000 && p.Dropped);
        call.AdvanceTo(44_999);
        Assert.Equal(SstpState.CallConnected, call.Server.State);
        call.AdvanceTo(45_000);
        Assert.Equal(45_000, call.ServerClosedAt);
        Assert.Equal("hello timeout", call.Server.CloseReason);
        Assert.Null(call.Server.AbortStatusSent);
        Assert.DoesNotContain(call.From(CallSide.Server), p => p.MessageType is SstpMessageType.CallAbort or SstpMessageType.CallDisconnect);
        Assert.True(call.ServerPpp.IsTerminated);
        Assert.Single(call.From(CallSide.Server), p => p.AtMs > 0);
    }

    [Fact]
    public void Idle_call_stays_up_on_echoes()
    {
        var call = new InMemoryCall();
        call.Connect();

        call.AdvanceTo(200_000);

        Assert.Equal(SstpState.CallConnected, call.Server.State);
        Assert.Equal(SstpState.CallConnected, call.Client.State);

        // Every 20 s both Hello timers fire, both ECHO_REQUESTs are answered.
        Assert.Equal(Enumerable.Range(1, 10).Select(i => i * 20_000L), call.Controls(CallSide.Server, SstpMessageType.EchoRequest).Select(p => p.AtMs));
        Assert.Equal(10, call.Controls(CallSide.Server, SstpMessageType.EchoResponse).Count());
        Assert.Equal(10, call.Controls(CallSide.Client, SstpMessageType.EchoResponse).Count());
        InMemoryCallConnectTests.AssertIpFlowsBothWays(call);
    }

    [Fact]
    public void Server_disconnect_terminates_lcp_then_sends_call_disconnect()
    {
        var call = new InMemoryCall();
        call.Connect();
        call.AdvanceTo(5_000);
        int before = call.Wire.Count;

        call.ServerDisconnect("administrator");

        // LCP Terminate-Request, Terminate-Ack, then CALL_DISCONNECT and its ACK (MS-SSTP 3.1.2.2).
        var after = call.Wire.Skip(before).Select(Describe).ToList();
        Assert.Equal(["Server LCP 5", "Client LCP 6", "Server CallDisconnect", "Client CallDisconnectAck"], after);
        Assert.All(call.Wire.Skip(before), p => Assert.Equal(5_000, p.AtMs));
        Assert.Equal("administrator", call.ServerLinkTerminated);
        Assert.Equal("peer sent Terminate-Request", call.ClientLinkTerminated);

        // The server closes on the ACK; the client waits TIMER_VAL_DISCONNECT_STATE_TIMER_2 (1 s).
        Assert.Equal(5_000, call.ServerClosedAt);
        Assert.Equal("administrator", call.Server.CloseReason);
        Assert.Equal(SstpState.CallDisconnectTimeoutPending, call.Client.State);
        Assert.False(call.SendFromClient(IcmpEcho(InMemoryCall.ClientAddress, InMemoryCall.GatewayAddress, 1, 1)));
        call.AdvanceTo(5_999);
        Assert.False(call.Client.IsClosed);
        call.AdvanceTo(6_000);
        Assert.Equal(6_000, call.ClientClosedAt);
        Assert.Equal("disconnected by peer", call.Client.CloseReason);
        Assert.Empty(call.Controls(CallSide.Server, SstpMessageType.CallAbort));
        Assert.Empty(call.Controls(CallSide.Client, SstpMessageType.CallAbort));
    }

    [Fact]
    public void Client_disconnect_terminates_lcp_then_sends_call_disconnect()
    {
        var call = new InMemoryCall();
        call.Connect();
        call.AdvanceTo(5_000);
        int before = call.Wire.Count;

        call.ClientDisconnect("user request");

        var after = call.Wire.Skip(before).Select(Describe).ToList();
        Assert.Equal(["Client LCP 5", "Server LCP 6", "Client CallDisconnect", "Server CallDisconnectAck"], after);
        Assert.Equal("user request", call.ClientLinkTerminated);
        Assert.Equal("peer sent Terminate-Request", call.ServerLinkTerminated);
        Assert.Equal(5_000, call.ClientClosedAt);
        Assert.Equal("user request", call.Client.CloseReason);
        Assert.Equal(SstpState.CallDisconnectTimeoutPending, call.Server.State);
        Assert.False(call.Server.DataAllowed);
        Assert.False(call.SendFromServerFastPath(IcmpEcho(InMemoryCall.GatewayAddress, InMemoryCall.ClientAddress, 1, 1)));

        call.AdvanceTo(5_999);
        Assert.False(call.Server.IsClosed);
        call.AdvanceTo(6_000);
        Assert.Equal(6_000, call.ServerClosedAt);
        Assert.Equal("disconnected by peer", call.Server.CloseReason);
        Assert.Empty(call.ServerReceivedIp);
    }

    [Fact]
    public void Server_disconnect_toward_a_silent_client_gives_lcp_its_retries_then_times_out()
    {
        var call = new InMemoryCall();
        call.Connect();
        call.AdvanceTo(5_000);
        call.BlockClientToServer = true;

        call.ServerDisconnect("shutdown");
        Assert.Equal(SstpState.PppTerminatePending, call.Server.State);

        // Max-Terminate (2) Terminate-Requests 3 s apart, then LCP gives up and SSTP sends CALL_DISCONNECT.
        call.AdvanceTo(20_000);
        var server = call.From(CallSide.Server).Where(p => p.AtMs >= 5_000).Select(p => (p.AtMs, Describe(p))).ToList();
        Assert.Equal([(5_000L, "Server LCP 5"), (8_000L, "Server LCP 5"), (11_000L, "Server CallDisconnect")], server);

        // No ACK: TIMER_VAL_DISCONNECT_STATE_TIMER_1 (5 s).
        Assert.Equal(16_000, call.ServerClosedAt);
        Assert.Equal("shutdown", call.Server.CloseReason);
        Assert.Null(call.Server.AbortStatusSent);
    }

    private static string Describe(WirePacket p) =>
        p.IsControl ? $"{p.From} {p.MessageType}"
        : p.TryGetPpp(out ushort protocol, out byte[] info) && protocol == PppProtocol.Lcp ? $"{p.From} LCP {info[0]}"
        : $"{p.From} PPP {protocol:X4}";
}

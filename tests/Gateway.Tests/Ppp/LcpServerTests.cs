using Gateway.Ppp;
using Gateway.Ppp.Auth;

namespace Gateway.Tests.Ppp;

public class LcpServerTests
{
    private readonly ServerHarness _h = new();

    [Fact]
    public void First_Configure_Request_carries_MRU_magic_and_MS_CHAPv2()
    {
        byte[] request = _h.Start();
        Assert.Equal("FF 03 C0 21 01 01 00 13 01 04 05 78 05 06", Hex.Of(request.AsSpan(0, 14)));
        Assert.Equal("03 05 C2 23 81", Hex.Of(request.AsSpan(18)));
        Assert.NotEqual(0u, BitConverter.ToUInt32(request, 14));
        Assert.Equal(PppPhase.Establish, _h.Server.Phase);
        Assert.Equal(3000, _h.Server.NextDeadlineMs);
    }

    [Fact]
    public void Windows_request_gets_PFC_ACFC_and_Callback_rejected()
    {
        _h.Start();
        // Windows' LCP Configure-Request (sstp-protocol.md 7.2): MRU 1500, Magic, PFC, ACFC, Callback 6 (CBCP).
        PppReceiveResult result = _h.Send("FF 03 C0 21 01 00 00 15 01 04 05 DC 05 06 12 34 56 78 07 02 08 02 0D 03 06");
        Assert.Equal(PppReceiveKind.Consumed, result.Kind);
        Assert.Equal("FF 03 C0 21 04 00 00 0B 07 02 08 02 0D 03 06", Hex.Of(_h.Sink.Single()));
    }

    [Fact]
    public void Second_Windows_request_without_rejected_options_is_acked()
    {
        _h.Start();
        _h.Send("FF 03 C0 21 01 00 00 15 01 04 05 DC 05 06 12 34 56 78 07 02 08 02 0D 03 06");
        _h.Sink.Take();
        _h.Send("FF 03 C0 21 01 01 00 0E 01 04 05 DC 05 06 12 34 56 78");
        Assert.Equal("FF 03 C0 21 02 01 00 0E 01 04 05 DC 05 06 12 34 56 78", Hex.Of(_h.Sink.Single()));
        Assert.Equal(NegotiationState.AckSent, _h.Server.LcpState);
    }

    [Fact]
    public void ACCM_is_acknowledged_and_multilink_and_unknown_options_rejected_verbatim()
    {
        _h.Start();
        _h.Send("FF 03 C0 21 01 03 00 16 02 06 00 00 00 00 11 04 05 DC 12 02 13 03 00 4D 03 41");
        Assert.Equal("FF 03 C0 21 04 03 00 10 11 04 05 DC 12 02 13 03 00 4D 03 41", Hex.Of(_h.Sink.Single()));
    }

    [Fact]
    public void Client_request_with_authentication_option_is_rejected()
    {
        _h.Start();
        _h.Send("FF 03 C0 21 01 04 00 0F 03 05 C2 23 81 05 06 12 34 56 78");
        Assert.Equal("FF 03 C0 21 04 04 00 09 03 05 C2 23 81", Hex.Of(_h.Sink.Single()));
    }

    [Fact]
    public void Magic_equal_to_ours_is_Nakd_with_another_number()
    {
        byte[] request = _h.Start();
        string magic = Hex.Of(request.AsSpan(14, 4));
        _h.Send($"FF 03 C0 21 01 05 00 0A 05 06 {magic}");
        byte[] nak = _h.Sink.Single();
        Assert.Equal("FF 03 C0 21 03 05 00 0A 05 06", Hex.Of(nak.AsSpan(0, 10)));
        Assert.NotEqual(magic, Hex.Of(nak.AsSpan(10, 4)));
        Assert.NotEqual("00 00 00 00", Hex.Of(nak.AsSpan(10, 4)));
    }

    [Fact]
    public void Zero_magic_is_Nakd()
    {
        _h.Start();
        _h.Send("FF 03 C0 21 01 05 00 0A 05 06 00 00 00 00");
        Assert.Equal(CpCode.ConfigureNak, _h.Sink.Single()[4]);
    }

    [Fact]
    public void Nak_suggesting_an_allowed_method_switches_to_it()
    {
        byte[] request = _h.Start();
        _h.Send($"FF 03 C0 21 03 {request[5]:X2} 00 08 03 04 C2 27");
        byte[] next = _h.Sink.Single();
        Assert.Equal("03 04 C2 27", Hex.Of(next.AsSpan(next.Length - 4)));
        Assert.Equal(2, next[5]);

        byte[] ack = (byte[])next.Clone();
        ack[4] = CpCode.ConfigureAck;
        _h.Send(ack);
        _h.Send("FF 03 C0 21 01 01 00 0A 05 06 12 34 56 78");
        Assert.Equal(NegotiationState.Opened, _h.Server.LcpState);
        Assert.Equal([AuthMethod.EapMsChapV2], _h.Authenticators.Created);
        Assert.Equal(AuthMethod.EapMsChapV2, _h.Server.AuthenticationMethod);
    }

    [Fact]
    public void Nak_suggesting_a_forbidden_method_moves_to_our_next_preference_then_gives_up()
    {
        _h.Start();
        _h.Send("FF 03 C0 21 03 01 00 08 03 04 C0 23");
        byte[] next = _h.Sink.Single();
        Assert.Equal("03 04 C2 27", Hex.Of(next.AsSpan(next.Length - 4)));

        _h.Send("FF 03 C0 21 03 02 00 08 03 04 C0 23");
        Assert.Equal("FF 03 C0 21 05 03 00 04", Hex.Of(_h.Sink.Single()));
        Assert.Equal(NegotiationState.Closing, _h.Server.LcpState);
    }

    [Fact]
    public void Reject_of_authentication_terminates_the_link()
    {
        _h.Start();
        _h.Send("FF 03 C0 21 04 01 00 09 03 05 C2 23 81");
        Assert.Equal("FF 03 C0 21 05 02 00 04", Hex.Of(_h.Sink.Single()));
        _h.Send("FF 03 C0 21 06 02 00 04");
        Assert.True(_h.Server.IsTerminated);
        Assert.StartsWith("terminated LCP negotiation failed", _h.Events.Log.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void Opened_lcp_starts_the_authenticator_for_the_agreed_method()
    {
        _h.OpenLcp();
        Assert.Equal(PppPhase.Authenticate, _h.Server.Phase);
        Assert.Equal([AuthMethod.MsChapV2], _h.Authenticators.Created);
        Assert.Equal(1, _h.Authenticators.Last!.Starts);
        Assert.Equal(1400, _h.Server.LocalMru);
        Assert.Equal(1500, _h.Server.PeerMru);
    }

    [Fact]
    public void Echo_Request_is_answered_with_our_magic_truncated_to_peer_mru()
    {
        uint magic = _h.OpenLcp(clientMru: 64);
        byte[] echo = new byte[4 + 4 + 4 + 100];
        Hex.Parse("FF 03 C0 21 09 2A 00 6C 12 34 56 78").CopyTo(echo, 0);
        for (int i = 12; i < echo.Length; i++)
        {
            echo[i] = (byte)i;
        }

        _h.Send(echo);
        byte[] reply = _h.Sink.Single();
        Assert.Equal(4 + 64, reply.Length);
        Assert.Equal($"FF 03 C0 21 0A 2A 00 40 {magic >> 24:X2} {(byte)(magic >> 16):X2} {(byte)(magic >> 8):X2} {(byte)magic:X2}", Hex.Of(reply.AsSpan(0, 12)));
        Assert.Equal(echo.AsSpan(12, 56).ToArray(), reply.AsSpan(12).ToArray());
    }

    [Fact]
    public void Echo_Request_before_Opened_is_ignored()
    {
        _h.Start();
        _h.Send("FF 03 C0 21 09 01 00 08 12 34 56 78");
        Assert.Empty(_h.Sink.Frames);
    }

    [Fact]
    public void Lcp_without_address_and_control_is_accepted()
    {
        _h.OpenLcp();
        _h.Send("C0 21 09 01 00 08 12 34 56 78");
        Assert.Equal(CpCode.EchoReply, _h.Sink.Single()[4]);
    }

    [Fact]
    public void Ccp_after_Opened_gets_Protocol_Reject()
    {
        _h.OpenLcp();
        PppReceiveResult result = _h.Send("FF 03 80 FD 01 01 00 0A 12 06 00 00 00 01");
        Assert.Equal(PppReceiveKind.Consumed, result.Kind);
        Assert.Equal("FF 03 C0 21 08 02 00 10 80 FD 01 01 00 0A 12 06 00 00 00 01", Hex.Of(_h.Sink.Single()));
    }

    [Fact]
    public void Protocol_Reject_is_truncated_to_peer_mru()
    {
        _h.OpenLcp(clientMru: 64);
        byte[] frame = new byte[4 + 200];
        Hex.Parse("FF 03 80 53").CopyTo(frame, 0);
        _h.Send(frame);
        byte[] reject = _h.Sink.Single();
        Assert.Equal(4 + 64, reject.Length);
        Assert.Equal("FF 03 C0 21 08 02 00 40 80 53", Hex.Of(reject.AsSpan(0, 10)));
    }

    [Fact]
    public void Unknown_protocol_before_Opened_is_dropped_silently()
    {
        _h.Start();
        Assert.Equal(PppReceiveKind.Dropped, _h.Send("FF 03 80 FD 01 01 00 04").Kind);
        Assert.Empty(_h.Sink.Frames);
    }

    [Fact]
    public void Unknown_lcp_code_gets_Code_Reject()
    {
        _h.OpenLcp();
        _h.Send("FF 03 C0 21 30 07 00 06 AB CD");
        Assert.Equal("FF 03 C0 21 07 02 00 0A 30 07 00 06 AB CD", Hex.Of(_h.Sink.Single()));
    }

    [Theory]
    [InlineData("FF 03 C0 21 0C 05 00 12 12 34 56 78 4D 53 52 41 53 56 35 2E 32 30")]
    [InlineData("FF 03 C0 21 0D 06 00 0C 12 34 56 78 00 00 0E 10")]
    [InlineData("FF 03 C0 21 0B 07 00 0A 12 34 56 78 00 00")]
    [InlineData("FF 03 C0 21 0A 08 00 08 12 34 56 78")]
    public void Identification_Time_Remaining_Discard_and_Echo_Reply_are_ignored(string frame)
    {
        _h.OpenLcp();
        Assert.Equal(PppReceiveKind.Consumed, _h.Send(frame).Kind);
        Assert.Empty(_h.Sink.Frames);
        Assert.Equal(NegotiationState.Opened, _h.Server.LcpState);
    }

    [Fact]
    public void Peer_Terminate_Request_is_acked_and_the_link_ends_after_a_restart_period()
    {
        _h.OpenLcp();
        _h.Send("FF 03 C0 21 05 09 00 04");
        Assert.Equal("FF 03 C0 21 06 09 00 04", Hex.Of(_h.Sink.Single()));
        Assert.False(_h.Server.IsTerminated);
        _h.Server.OnTimer(3000);
        Assert.True(_h.Server.IsTerminated);
        Assert.Equal(["terminated peer sent Terminate-Request"], _h.Events.Log);
    }

    [Fact]
    public void Silent_client_ends_the_link_after_Max_Configure()
    {
        _h.Start();
        for (int i = 1; i < 10; i++)
        {
            _h.Server.OnTimer(i * 3000);
        }

        Assert.Equal(9, _h.Sink.Take().Count);
        _h.Server.OnTimer(30000);
        Assert.True(_h.Server.IsTerminated);
        Assert.Equal(long.MaxValue, _h.Server.NextDeadlineMs);
    }

    [Fact]
    public void Close_sends_Terminate_Request()
    {
        _h.OpenLcp();
        _h.Server.Close("admin kill", 0);
        Assert.Equal("FF 03 C0 21 05 02 00 04", Hex.Of(_h.Sink.Single()));
        _h.Send("FF 03 C0 21 06 02 00 04");
        Assert.True(_h.Server.IsTerminated);
        Assert.Equal(["terminated admin kill"], _h.Events.Log);
    }

    [Fact]
    public void Malformed_lcp_packet_is_dropped()
    {
        _h.Start();
        Assert.Equal(PppReceiveKind.Dropped, _h.Send("FF 03 C0 21 01 01 00 20 01 04").Kind);
        Assert.Equal(PppReceiveKind.Dropped, _h.Send("FF 03").Kind);
        Assert.Empty(_h.Sink.Frames);
    }
}

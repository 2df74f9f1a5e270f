using System.Buffers;
using Gateway.Ppp;
using Gateway.Sstp;
using static Gateway.Tests.Sstp.SessionHarness;

namespace Gateway.Tests.Sstp;

public class SstpServerSessionTests
{
    private readonly ArrayBufferWriter<byte> _output = new();
    private readonly FakePppEndpoint _ppp = new();
    private readonly TestLogger _logger = new();
    private readonly SstpOptions _options = new();
    private SstpServerSession? _session;

    private SstpServerSession Session => _session ??= Create();

    private SstpServerSession Create()
    {
        var session = new SstpServerSession(_options, CertSha1, CertSha256, _output, _logger, () => (byte[])FixedNonce.Clone());
        _ppp.Sink = session;
        session.AttachPpp(_ppp);
        return session;
    }

    private SstpInput Send(byte[] packet, long now) => Session.Receive(packet, now);

    private SstpControlMessage SingleControl() => Control(Assert.Single(Drain(_output)));

    private void StartAndAck(long now = 0)
    {
        Session.Start(now);
        Send(SstpControlMessage.CallConnectRequest().ToArray(), now);
        Drain(_output);
        Assert.Equal(SstpState.CallConnectedPending, Session.State);
    }

    private void Connect(long now = 0)
    {
        StartAndAck(now);
        Session.OnHigherLayerAuthenticated(Hlak, now);
        Send(CallConnected(SstpHashProtocol.Sha256, FixedNonce, Hlak), now);
        Assert.Equal(SstpState.CallConnected, Session.State);
        Assert.Empty(Drain(_output));
    }

    private void AssertAborted(SstpAttributeId attributeId, SstpStatus status)
    {
        var abort = SingleControl();
        Assert.Equal(SstpMessageType.CallAbort, abort.MessageType);
        var info = StatusOf(abort);
        Assert.Equal((attributeId, status), (info.AttributeId, info.Status));
        Assert.Equal(SstpState.CallAbortPending, Session.State);
        Assert.Equal((attributeId, status), (Session.AbortStatusSent!.Value.AttributeId, Session.AbortStatusSent.Value.Status));
    }

    [Fact]
    public void Start_waits_for_the_request_with_the_negotiation_timer()
    {
        Session.Start(1_000);
        Assert.Equal(SstpState.ConnectRequestPending, Session.State);
        Assert.Equal(61_000, Session.NextDeadlineMs);
        Assert.False(Session.DataAllowed);
        Assert.Empty(Drain(_output));
    }

    [Fact]
    public void Acceptable_request_is_acked_with_both_hashes_and_the_nonce_then_ppp_starts()
    {
        _ppp.SendOnLowerUp = LcpFrame;
        Session.Start(0);
        Assert.Equal(SstpInputKind.None, Send(Hex.Bytes("1001000E000100010001000600 01".Replace(" ", "")), 500).Kind);

        var packets = Drain(_output);
        Assert.Equal(2, packets.Count);
        Assert.Equal("10010030000200010004002800000003" + Hex.Of(FixedNonce), Hex.Of(packets[0]));
        Assert.Equal(Hex.Of(DataPacket(LcpFrame)), Hex.Of(packets[1])); // LCP only after the ACK
        Assert.Equal(1, _ppp.LowerUpCount);
        Assert.Equal(SstpState.CallConnectedPending, Session.State);
        Assert.Equal(60_500, Session.NextDeadlineMs);
        Assert.Equal(FixedNonce, Session.Nonce.ToArray());
    }

    [Fact]
    public void Configured_bitmask_is_offered()
    {
        _options.HashProtocols = SstpHashProtocol.Sha256;
        StartAndAck();
        Session.OnHigherLayerAuthenticated(Hlak, 0);
        Send(CallConnected(SstpHashProtocol.Sha1, FixedNonce, Hlak), 0);
        AssertAborted(SstpAttributeId.CryptoBinding, SstpStatus.ValueNotSupported);
        Assert.Contains(_logger.Lines, l => l.Contains("hash protocol", StringComparison.Ordinal));
    }

    [Fact]
    public void Default_nonce_source_gives_fresh_32_byte_nonces()
    {
        var a = new SstpServerSession(_options, CertSha1, CertSha256, new ArrayBufferWriter<byte>(), _logger);
        var b = new SstpServerSession(_options, CertSha1, CertSha256, new ArrayBufferWriter<byte>(), _logger);
        foreach (var s in new[] { a, b })
        {
            s.AttachPpp(new FakePppEndpoint { Sink = s });
            s.Start(0);
            s.Receive(SstpControlMessage.CallConnectRequest().ToArray(), 0);
        }

        Assert.Equal(32, a.Nonce.Length);
        Assert.NotEqual(Hex.Of(a.Nonce.Span), Hex.Of(b.Nonce.Span));
    }

    public static TheoryData<string, string> NakCases => new()
    {
        // protocol != PPP: (0x01, VALUE_NOT_SUPPORTED) with the proposed value
        { "1001000E00010001 00010006 0002", "0002000E 000000 01 00000004 0002" },
        // attribute missing: (0x02, REQUIRED_ATTRIBUTE_MISSING)
        { "1001000800010000", "0002000C 000000 02 0000000A" },
        // duplicate protocol attribute
        { "1001001400010002 00010006 0001 00010006 0001", "0002000C 000000 01 00000001" },
        // wrong length
        { "1001000F00010001 00010007 000100", "0002000C 000000 01 00000003" },
        // unknown attribute next to a good one
        { "1001001200010002 00010006 0001 00090004", "0002000C 000000 09 00000002" },
        // Status Info with a nonzero status
        { "1001001A00010002 00010006 0001 0002000C 000000 00 00000007", "0002000C 000000 02 0000000B" },
    };

    [Theory]
    [MemberData(nameof(NakCases))]
    public void Unacceptable_request_gets_a_nak_with_the_right_status_info(string request, string expectedAttribute)
    {
        Session.Start(0);
        Send(Hex.Bytes(request), 0);

        var packet = Assert.Single(Drain(_output));
        var nak = Control(packet);
        Assert.Equal(SstpMessageType.CallConnectNak, nak.MessageType);
        Assert.Equal(Hex.Of(Hex.Bytes(expectedAttribute)), Hex.Of(packet.AsSpan(8)));
        Assert.Equal(SstpState.ConnectRequestPending, Session.State);
        Assert.Equal(0, _ppp.LowerUpCount);
    }

    [Fact]
    public void Several_problems_give_one_status_info_each()
    {
        Session.Start(0);
        Send(Hex.Bytes("1001001200010002 00010006 0002 00070004"), 0);
        var nak = SingleControl();
        Assert.Equal(2, nak.Attributes.Count);
        Assert.Equal((SstpAttributeId.EncapsulatedProtocolId, SstpStatus.ValueNotSupported), (StatusOf(nak, 0).AttributeId, StatusOf(nak, 0).Status));
        Assert.Equal((SstpAttributeId)7, StatusOf(nak, 1).AttributeId);
    }

    [Fact]
    public void Three_naks_then_abort_with_retry_count_exceeded()
    {
        byte[] bad = Hex.Bytes("1001000E00010001 00010006 0002");
        Session.Start(0);
        for (int i = 1; i <= 3; i++)
        {
            Send(bad, i);
            Assert.Equal(SstpMessageType.CallConnectNak, SingleControl().MessageType);
            Assert.Equal(i, Session.NakCount);
        }

        Send(bad, 4);
        AssertAborted(SstpAttributeId.StatusInfo, SstpStatus.RetryCountExceeded);
    }

    [Fact]
    public void Good_request_after_naks_is_acked()
    {
        Session.Start(0);
        Send(Hex.Bytes("1001000800010000"), 0);
        Send(Hex.Bytes("1001000800010000"), 0);
        Drain(_output);
        Send(SstpControlMessage.CallConnectRequest().ToArray(), 0);
        Assert.Equal(SstpMessageType.CallConnectAck, SingleControl().MessageType);
    }

    [Fact]
    public void Negotiation_timeout_waiting_for_the_request_aborts_then_cleans_up_after_timer_1()
    {
        Session.Start(0);
        Session.OnTimer(59_999);
        Assert.Empty(Drain(_output));

        Session.OnTimer(60_000);
        AssertAborted(SstpAttributeId.NoError, SstpStatus.NegotiationTimeout);
        Assert.Equal("10010014000500010002000C0000000000000008", Hex.Of(SstpControlMessage.CallAbort(Session.AbortStatusSent).ToArray()));
        Assert.Equal(63_000, Session.NextDeadlineMs);

        Session.OnTimer(62_999);
        Assert.False(Session.IsClosed);
        Session.OnTimer(63_000);
        Assert.True(Session.IsClosed);
        Assert.Equal(long.MaxValue, Session.NextDeadlineMs);
    }

    [Fact]
    public void Negotiation_timeout_waiting_for_call_connected_aborts_and_lowers_ppp()
    {
        StartAndAck(1_000);
        Session.OnTimer(60_999);
        Assert.Empty(Drain(_output));
        Session.OnTimer(61_000);
        AssertAborted(SstpAttributeId.NoError, SstpStatus.NegotiationTimeout);
        Assert.Equal(1, _ppp.LowerDownCount);
    }

    [Theory]
    [InlineData(SstpHashProtocol.Sha256)]
    [InlineData(SstpHashProtocol.Sha1)]
    public void Valid_call_connected_connects_and_allows_data(SstpHashProtocol protocol)
    {
        StartAndAck();
        Session.OnHigherLayerAuthenticated(Hlak, 10);
        Assert.Equal(SstpInputKind.None, Send(CallConnected(protocol, FixedNonce, Hlak), 100).Kind);

        Assert.Equal(SstpState.CallConnected, Session.State);
        Assert.True(Session.DataAllowed);
        Assert.Equal(protocol, Session.NegotiatedHashProtocol);
        Assert.Equal(20_100, Session.NextDeadlineMs); // Hello timer
        Assert.Empty(Drain(_output));
        Assert.Contains(_logger.Lines, l => l.Contains("call connected", StringComparison.Ordinal));
    }

    [Fact]
    public void Call_connected_before_the_hlak_is_held_then_verified()
    {
        StartAndAck();
        Send(CallConnected(SstpHashProtocol.Sha256, FixedNonce, Hlak), 100);
        Assert.Equal(SstpState.CallConnectedPending, Session.State);
        Assert.False(Session.DataAllowed);

        Session.OnHigherLayerAuthenticated(Hlak, 200);
        Assert.Equal(SstpState.CallConnected, Session.State);
        Assert.True(Session.DataAllowed);
        Assert.Empty(Drain(_output));
    }

    [Fact]
    public void Held_call_connected_with_a_mac_over_another_hlak_aborts_when_the_hlak_arrives()
    {
        StartAndAck();
        Send(CallConnected(SstpHashProtocol.Sha256, FixedNonce, new byte[32]), 100);
        Assert.Empty(Drain(_output));

        Session.OnHigherLayerAuthenticated(Hlak, 200);
        AssertAborted(SstpAttributeId.CryptoBinding, SstpStatus.ValueNotSupported);
        Assert.Contains(_logger.Lines, l => l.Contains("compound MAC", StringComparison.Ordinal) && l.Contains("zero HLAK would match: True", StringComparison.Ordinal));
    }

    [Fact]
    public void Held_call_connected_is_still_bounded_by_the_negotiation_timer()
    {
        StartAndAck();
        Send(CallConnected(SstpHashProtocol.Sha256, FixedNonce, Hlak), 100);
        Session.OnTimer(60_000);
        AssertAborted(SstpAttributeId.NoError, SstpStatus.NegotiationTimeout);
        Session.OnHigherLayerAuthenticated(Hlak, 60_100);
        Assert.Equal(SstpState.CallAbortPending, Session.State);
    }

    public static TheoryData<string, string> BindingFailures => new()
    {
        { "nonce", "nonce" },
        { "cert hash", "certificate hash" },
        { "cert hash sha1 padding irrelevant but hash wrong", "certificate hash" },
        { "mac", "compound MAC" },
        { "hash protocol 3", "hash protocol" },
        { "hash protocol 0", "hash protocol" },
    };

    [Theory]
    [MemberData(nameof(BindingFailures))]
    public void Wrong_crypto_binding_aborts_with_crypto_binding_value_not_supported(string fault, string loggedInput)
    {
        StartAndAck();
        Session.OnHigherLayerAuthenticated(Hlak, 0);
        byte[] message = fault switch
        {
            "nonce" => CallConnected(SstpHashProtocol.Sha256, FixedNonce, Hlak, beforeMac: m => m[20] ^= 1),
            "cert hash" => CallConnected(SstpHashProtocol.Sha256, FixedNonce, Hlak, beforeMac: m => m[79] ^= 1),
            "cert hash sha1 padding irrelevant but hash wrong" => CallConnected(SstpHashProtocol.Sha1, FixedNonce, Hlak, beforeMac: m => m[67] ^= 1),
            "mac" => CallConnected(SstpHashProtocol.Sha256, FixedNonce, Hlak, afterMac: m => m[111] ^= 1),
            "hash protocol 3" => CallConnected(SstpHashProtocol.Sha256, FixedNonce, Hlak, beforeMac: m => m[15] = 3),
            _ => CallConnected(SstpHashProtocol.Sha256, FixedNonce, Hlak, beforeMac: m => m[15] = 0),
        };

        Send(message, 10);

        AssertAborted(SstpAttributeId.CryptoBinding, SstpStatus.ValueNotSupported);
        Assert.Contains(_logger.Lines, l => l.Contains("crypto binding failed: " + loggedInput, StringComparison.Ordinal));
        Assert.False(Session.DataAllowed);
        Assert.Equal(1, _ppp.LowerDownCount);
    }

    [Fact]
    public void Sha1_cert_hash_padding_is_ignored()
    {
        StartAndAck();
        Session.OnHigherLayerAuthenticated(Hlak, 0);
        Send(CallConnected(SstpHashProtocol.Sha1, FixedNonce, Hlak, beforeMac: m => m[75] = 0x55), 10);
        Assert.Equal(SstpState.CallConnected, Session.State);
    }

    [Fact]
    public void Call_connected_without_attributes_aborts_with_attrib_not_supported()
    {
        StartAndAck();
        Session.OnHigherLayerAuthenticated(Hlak, 0);
        Send(Hex.Bytes("1001000800040000"), 10);
        AssertAborted(SstpAttributeId.StatusInfo, SstpStatus.AttribNotSupportedInMsg);
    }

    [Fact]
    public void Call_connected_with_two_attributes_aborts_with_attrib_not_supported()
    {
        byte[] good = CallConnected(SstpHashProtocol.Sha256, FixedNonce, Hlak);
        Assert.True(SstpControlMessage.TryParse(good, out var message, out _));
        byte[] packet = new SstpControlMessage(SstpMessageType.CallConnected, message.Attributes[0], SstpStatusInfo.NoError.ToAttribute()).ToArray();

        StartAndAck();
        Session.OnHigherLayerAuthenticated(Hlak, 0);
        Send(packet, 10);
        AssertAborted(SstpAttributeId.StatusInfo, SstpStatus.AttribNotSupportedInMsg);
    }

    [Fact]
    public void Call_connected_with_another_attribute_aborts_with_attrib_not_supported()
    {
        StartAndAck();
        Send(new SstpControlMessage(SstpMessageType.CallConnected, new SstpAttribute(SstpAttributeId.CryptoBindingRequest, new byte[100])).ToArray(), 10);
        AssertAborted(SstpAttributeId.StatusInfo, SstpStatus.AttribNotSupportedInMsg);
    }

    [Fact]
    public void Call_connected_with_a_short_crypto_binding_aborts()
    {
        var attribute = new SstpAttribute(SstpAttributeId.CryptoBinding, new byte[96]);
        StartAndAck();
        Send(new SstpControlMessage(SstpMessageType.CallConnected, attribute).ToArray(), 10);
        AssertAborted(SstpAttributeId.StatusInfo, SstpStatus.AttribNotSupportedInMsg);
    }

    [Fact]
    public void Ppp_frames_are_dropped_before_the_ack()
    {
        Session.Start(0);
        Send(DataPacket(LcpFrame), 0);
        _ppp.Sink!.SendFrame(LcpFrame);
        Assert.Empty(_ppp.Received);
        Assert.Empty(Drain(_output));
        Assert.Equal(2, Session.GatedFrames);
    }

    [Theory]
    [InlineData("FF03C021010100040000", true)]   // LCP
    [InlineData("C021010100040000", true)]       // LCP, ACFC
    [InlineData("FF038021010100040000", true)]   // IPCP
    [InlineData("FF03C22301010004", true)]       // CHAP
    [InlineData("FF03002145000014", false)]      // IPv4
    [InlineData("FF03214500001400", false)]      // IPv4, PFC
    [InlineData("214500001400", false)]          // IPv4, ACFC + PFC
    [InlineData("FF0300576000000000", false)]    // IPv6
    [InlineData("FF03", false)]                  // no protocol
    [InlineData("FF0380", false)]                // truncated protocol
    public void In_connected_pending_only_control_frames_pass_both_ways(string frameHex, bool passes)
    {
        StartAndAck();
        byte[] frame = Hex.Bytes(frameHex);

        Send(DataPacket(frame), 10);
        Assert.Equal(passes ? 1 : 0, _ppp.Received.Count);

        _ppp.Sink!.SendFrame(frame);
        var sent = Drain(_output);
        Assert.Equal(passes ? 1 : 0, sent.Count);
        if (passes)
        {
            Assert.Equal(Hex.Of(DataPacket(frame)), Hex.Of(sent[0]));
        }
    }

    [Fact]
    public void Ip_from_ppp_in_connected_pending_is_not_handed_to_the_tunnel()
    {
        StartAndAck();
        _ppp.OnReceive = _ => new PppReceiveResult(PppReceiveKind.IPv4, 2, 4);
        Assert.Equal(SstpInputKind.None, Send(DataPacket(LcpFrame), 10).Kind);
    }

    [Fact]
    public void When_connected_ip_packets_flow_and_are_located_inside_the_packet()
    {
        Connect();
        byte[] packet = DataPacket(Ipv4Frame);
        var input = Send(packet, 10);
        Assert.Equal(SstpInputKind.IPv4, input.Kind);
        Assert.Equal(8, input.Offset);
        Assert.Equal(20, input.Length);
        Assert.Equal(0x45, packet[input.Offset]);

        var pfc = Send(DataPacket(Hex.Bytes("576000000000000000")), 10);
        Assert.Equal(SstpInputKind.IPv6, pfc.Kind);
        Assert.Equal(5, pfc.Offset);

        _ppp.Sink!.SendFrame(Ipv4Frame);
        Assert.Equal(Hex.Of(DataPacket(Ipv4Frame)), Hex.Of(Assert.Single(Drain(_output))));
    }

    [Fact]
    public void Fast_path_header_only_when_connected()
    {
        var prefix = new byte[8];
        StartAndAck();
        Assert.Equal(0, Session.WriteDataPacketHeader(prefix, 0x0021, 100));
        Session.OnHigherLayerAuthenticated(Hlak, 0);
        Send(CallConnected(SstpHashProtocol.Sha256, FixedNonce, Hlak), 0);
        Assert.Equal(8, Session.WriteDataPacketHeader(prefix, 0x0021, 100));
        Assert.Equal("1000006CFF030021", Hex.Of(prefix));
        Assert.Equal(0, Session.WriteDataPacketHeader(prefix, 0x0021, 4088));
    }

    [Fact]
    public void Oversized_outgoing_frame_is_dropped()
    {
        Connect();
        _ppp.Sink!.SendFrame(new byte[4092]);
        Assert.Empty(Drain(_output));
        _ppp.Sink!.SendFrame(new byte[4091]);
        Assert.Equal(4095, Assert.Single(Drain(_output)).Length);
    }

    [Fact]
    public void Hello_timer_sends_echo_then_drops_without_abort()
    {
        Connect(1_000);
        Session.OnTimer(20_999);
        Assert.Empty(Drain(_output));
        Session.OnTimer(21_000);
        Assert.Equal("1001000800080000", Hex.Of(Assert.Single(Drain(_output))));
        Assert.Equal(41_000, Session.NextDeadlineMs);

        Session.OnTimer(41_000);
        Assert.True(Session.IsClosed);
        Assert.Empty(Drain(_output)); // no CALL_ABORT
        Assert.Equal("hello timeout", Session.CloseReason);
        Assert.Equal(1, _ppp.LowerDownCount);
    }

    [Fact]
    public void Any_received_packet_restarts_the_hello_timer()
    {
        _options.HelloIntervalMs = 10_000;
        Connect(0);
        Session.OnTimer(10_000);
        Assert.Single(Drain(_output)); // echo request
        Send(SstpControlMessage.EchoResponse().ToArray(), 15_000);
        Assert.Equal(25_000, Session.NextDeadlineMs);
        Session.OnTimer(20_000);
        Assert.False(Session.IsClosed);

        Send(DataPacket(Ipv4Frame), 24_000);
        Session.OnTimer(25_000);
        Assert.Empty(Drain(_output));
        Session.OnTimer(34_000);
        Assert.Equal(SstpMessageType.EchoRequest, SingleControl().MessageType);
    }

    [Fact]
    public void Echo_request_is_answered_when_connected_and_tolerated_while_negotiating()
    {
        Session.Start(0);
        Send(SstpControlMessage.EchoRequest().ToArray(), 1);
        Assert.Equal("1001000800090000", Hex.Of(Assert.Single(Drain(_output))));
        Send(SstpControlMessage.EchoResponse().ToArray(), 1);
        Assert.Empty(Drain(_output));
        Assert.Equal(SstpState.ConnectRequestPending, Session.State);

        Send(SstpControlMessage.CallConnectRequest().ToArray(), 2);
        Drain(_output);
        Send(SstpControlMessage.EchoRequest().ToArray(), 3);
        Assert.Equal(SstpMessageType.EchoResponse, SingleControl().MessageType);
        Assert.Equal(SstpState.CallConnectedPending, Session.State);
    }

    [Fact]
    public void Abort_initiator_waits_for_the_peer_abort_then_timer_2()
    {
        Session.Start(0);
        Session.OnTimer(60_000);
        Drain(_output);

        Send(SstpControlMessage.EchoRequest().ToArray(), 60_500); // ignored in Call_Abort_Pending
        Assert.Empty(Drain(_output));
        Send(SstpControlMessage.CallAbort(null).ToArray(), 61_000);
        Assert.Equal(SstpState.CallAbortTimeoutPending, Session.State);
        Assert.Empty(Drain(_output));
        Assert.Equal(62_000, Session.NextDeadlineMs);
        Session.OnTimer(62_000);
        Assert.True(Session.IsClosed);
    }

    [Fact]
    public void Abort_responder_answers_with_abort_and_cleans_up_after_timer_2()
    {
        Connect();
        var input = Send(SstpControlMessage.CallAbort(new SstpStatusInfo(SstpAttributeId.NoError, SstpStatus.InvalidFrameReceived)).ToArray(), 5_000);
        Assert.Equal(SstpInputKind.None, input.Kind);
        Assert.Equal("1001000800050000", Hex.Of(Assert.Single(Drain(_output))));
        Assert.Equal(SstpState.CallAbortTimeoutPending, Session.State);
        Assert.Equal(SstpStatus.InvalidFrameReceived, Session.AbortStatusReceived!.Value.Status);
        Assert.Equal(1, _ppp.LowerDownCount);
        Assert.Equal(6_000, Session.NextDeadlineMs);

        int received = _ppp.Received.Count;
        Send(DataPacket(Ipv4Frame), 5_500);
        Assert.Equal(received, _ppp.Received.Count); // PPP is down: nothing is passed on
        Session.OnTimer(6_000);
        Assert.True(Session.IsClosed);
        Assert.Equal(SstpInputKind.Close, Send(SstpControlMessage.EchoRequest().ToArray(), 6_001).Kind);
    }

    [Fact]
    public void Disconnect_terminates_ppp_first_then_sends_call_disconnect_and_closes_on_ack()
    {
        Connect();
        _ppp.OnReceive = frame =>
        {
            _ppp.Terminate(); // LCP Terminate-Ack arrived
            return PppReceiveResult.Consumed;
        };

        Session.Disconnect("admin kill", 1_000);
        Assert.Equal(SstpState.PppTerminatePending, Session.State);
        Assert.Equal("admin kill", _ppp.CloseReason);
        Assert.Equal("1000000CFF03C02105010004", Hex.Of(Assert.Single(Drain(_output)))); // LCP Terminate-Request still goes out
        Assert.False(Session.DataAllowed);

        Send(DataPacket(Hex.Bytes("FF03C02106010004")), 1_200);
        Assert.Equal("10010014000600010002000C0000000000000000", Hex.Of(Assert.Single(Drain(_output))));
        Assert.Equal(SstpState.CallDisconnectAckPending, Session.State);
        Assert.Equal(6_200, Session.NextDeadlineMs);

        Assert.Equal(SstpInputKind.Close, Send(SstpControlMessage.CallDisconnectAck().ToArray(), 1_300).Kind);
        Assert.True(Session.IsClosed);
        Assert.Equal(1, _ppp.LowerDownCount);
    }

    [Fact]
    public void Disconnect_sends_call_disconnect_after_the_ppp_timeout_and_closes_after_timer_1()
    {
        Connect();
        Session.Disconnect("drain", 0);
        Drain(_output);
        Session.OnTimer(6_999);
        Assert.Empty(Drain(_output));
        Session.OnTimer(7_000);
        Assert.Equal(SstpMessageType.CallDisconnect, SingleControl().MessageType);
        Session.OnTimer(11_999);
        Assert.False(Session.IsClosed);
        Session.OnTimer(12_000);
        Assert.True(Session.IsClosed);
    }

    [Fact]
    public void Disconnect_before_ppp_runs_sends_call_disconnect_at_once()
    {
        Session.Start(0);
        Session.Disconnect("shutdown", 10);
        Assert.Equal(SstpMessageType.CallDisconnect, SingleControl().MessageType);
        Assert.Equal(SstpState.CallDisconnectAckPending, Session.State);
    }

    [Fact]
    public void Ppp_that_terminated_by_itself_ends_the_call_with_call_disconnect()
    {
        Connect();
        _ppp.OnReceive = _ =>
        {
            _ppp.Terminate(); // client sent LCP Terminate-Request, PPP acked and stopped
            return PppReceiveResult.Consumed;
        };
        Send(DataPacket(Hex.Bytes("FF03C02105020004")), 100);
        Assert.Equal(SstpMessageType.CallDisconnect, SingleControl().MessageType);
    }

    [Fact]
    public void Disconnect_responder_always_acks_and_closes_after_timer_2()
    {
        Connect();
        Send(SstpControlMessage.CallDisconnect(SstpStatusInfo.NoError).ToArray(), 100);
        Assert.Equal("1001000800070000", Hex.Of(Assert.Single(Drain(_output))));
        Assert.Equal(SstpState.CallDisconnectTimeoutPending, Session.State);
        Assert.Equal(1, _ppp.LowerDownCount);
        Session.OnTimer(1_100);
        Assert.True(Session.IsClosed);
    }

    [Fact]
    public void Call_disconnect_is_acked_even_while_aborting()
    {
        Session.Start(0);
        Session.OnTimer(60_000);
        Drain(_output);
        Send(SstpControlMessage.CallDisconnect(null).ToArray(), 60_100);
        Assert.Equal(SstpMessageType.CallDisconnectAck, SingleControl().MessageType);
        Assert.Equal(SstpState.CallAbortPending, Session.State);
    }

    [Fact]
    public void Crossing_call_disconnects_are_both_acked()
    {
        Connect();
        _ppp.TerminateOnClose = true;
        Session.Disconnect("bye", 0);
        Drain(_output);
        Assert.Equal(SstpState.CallDisconnectAckPending, Session.State);
        Send(SstpControlMessage.CallDisconnect(null).ToArray(), 10);
        Assert.Equal(SstpMessageType.CallDisconnectAck, SingleControl().MessageType);
        Assert.Equal(SstpState.CallDisconnectTimeoutPending, Session.State);
        Session.OnTimer(1_010);
        Assert.True(Session.IsClosed);
    }

    [Theory]
    [InlineData("1101000800080000")]   // version
    [InlineData("10010008000800")]     // length 8, 7 bytes given
    [InlineData("10000006FF")]         // data, length 6, 5 bytes given
    [InlineData("10020008000800 00")]  // reserved flag bit
    public void Framing_errors_close_without_sending_anything(string hex)
    {
        Session.Start(0);
        Assert.Equal(SstpInputKind.Close, Send(Hex.Bytes(hex), 1).Kind);
        Assert.True(Session.IsClosed);
        Assert.Empty(Drain(_output));
        Assert.StartsWith("framing error", Session.CloseReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_control_message_aborts_with_invalid_frame()
    {
        Connect();
        Send(Hex.Bytes("1001000C0006000100020010"), 10);
        AssertAborted(SstpAttributeId.NoError, SstpStatus.InvalidFrameReceived);
    }

    [Theory]
    [InlineData(SstpMessageType.CallConnectRequest)]
    [InlineData(SstpMessageType.CallConnectAck)]
    [InlineData(SstpMessageType.CallDisconnectAck)]
    public void Unexpected_message_when_connected_aborts_with_unaccepted_frame(SstpMessageType type)
    {
        Connect();
        byte[] packet = type switch
        {
            SstpMessageType.CallConnectRequest => SstpControlMessage.CallConnectRequest().ToArray(),
            SstpMessageType.CallConnectAck => SstpControlMessage.CallConnectAck(SstpHashProtocol.Sha256, FixedNonce).ToArray(),
            _ => SstpControlMessage.CallDisconnectAck().ToArray(),
        };
        Send(packet, 10);
        AssertAborted(SstpAttributeId.NoError, SstpStatus.UnacceptedFrameReceived);
    }

    [Fact]
    public void Second_call_connected_aborts()
    {
        Connect();
        Send(CallConnected(SstpHashProtocol.Sha256, FixedNonce, Hlak), 10);
        AssertAborted(SstpAttributeId.NoError, SstpStatus.UnacceptedFrameReceived);
    }

    [Fact]
    public void Call_connected_before_the_ack_aborts()
    {
        Session.Start(0);
        Send(CallConnected(SstpHashProtocol.Sha256, FixedNonce, Hlak), 10);
        AssertAborted(SstpAttributeId.NoError, SstpStatus.UnacceptedFrameReceived);
    }

    [Fact]
    public void Next_deadline_includes_the_ppp_deadline_and_ppp_timers_run()
    {
        StartAndAck();
        _ppp.NextDeadlineMs = 3_000;
        Assert.Equal(3_000, Session.NextDeadlineMs);
        Session.OnTimer(2_999);
        Assert.Equal(0, _ppp.TimerRuns);
        Session.OnTimer(3_000);
        Assert.Equal(1, _ppp.TimerRuns);
    }

    [Fact]
    public void Connection_loss_lowers_ppp_and_closes_silently()
    {
        Connect();
        Session.OnConnectionLost("tcp reset");
        Assert.True(Session.IsClosed);
        Assert.Equal("tcp reset", Session.CloseReason);
        Assert.Equal(1, _ppp.LowerDownCount);
        Assert.Empty(Drain(_output));
    }

    [Fact]
    public void Api_misuse_is_reported()
    {
        Assert.Throws<InvalidOperationException>(() => Session.Receive(SstpControlMessage.EchoRequest().ToArray(), 0));
        Assert.Throws<ArgumentException>(() => Session.OnHigherLayerAuthenticated(new byte[16], 0));
        var unattached = new SstpServerSession(_options, CertSha1, CertSha256, _output, _logger);
        Assert.Throws<InvalidOperationException>(() => unattached.Start(0));
        Assert.Throws<ArgumentException>(() => new SstpServerSession(_options, CertSha256, CertSha256, _output, _logger));
        Assert.Throws<ArgumentException>(() => new SstpServerSession(new SstpOptions { HashProtocols = SstpHashProtocol.None }, CertSha1, CertSha256, _output, _logger));
    }
}

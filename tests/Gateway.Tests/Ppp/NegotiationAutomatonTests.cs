using Gateway.Ppp;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Ppp;

public class NegotiationAutomatonTests
{
    private const ushort Protocol = 0x8021;

    private readonly FakePolicy _policy = new();
    private readonly FakeHost _host = new();
    private readonly NegotiationAutomaton _fsm;

    public NegotiationAutomatonTests()
    {
        _fsm = new NegotiationAutomaton(Protocol, "TEST", _policy, _host, new NegotiationTimers(), NullLogger.Instance);
    }

    [Fact]
    public void Open_then_Up_sends_Configure_Request_and_arms_restart_timer()
    {
        _fsm.Open(100);
        Assert.Equal(NegotiationState.Starting, _fsm.State);
        Assert.Equal(["tls"], _host.Events);
        Assert.Empty(_host.Sent);

        _fsm.Up(100);
        Assert.Equal(NegotiationState.RequestSent, _fsm.State);
        Assert.Equal("01 01 00 07 10 03 01", Hex.Of(_host.Sent.Single()));
        Assert.Equal(3100, _fsm.NextDeadlineMs);
        Assert.Equal(1, _policy.Resets);
    }

    [Fact]
    public void Up_before_Open_goes_to_Closed_and_Open_then_starts()
    {
        _fsm.Up(0);
        Assert.Equal(NegotiationState.Closed, _fsm.State);
        _fsm.Open(0);
        Assert.Equal(NegotiationState.RequestSent, _fsm.State);
        Assert.Single(_host.Sent);
    }

    [Fact]
    public void Restart_timer_retransmits_Max_Configure_times_then_gives_up()
    {
        Start();
        _fsm.OnTimer(2999);
        Assert.Single(_host.Sent);

        for (int i = 1; i < 10; i++)
        {
            _fsm.OnTimer(i * 3000);
            Assert.Equal(NegotiationState.RequestSent, _fsm.State);
        }

        Assert.Equal(10, _host.Sent.Count);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (byte)i), _host.Sent.Select(p => p[1]));

        _fsm.OnTimer(30000);
        Assert.Equal(NegotiationState.Stopped, _fsm.State);
        Assert.Equal(10, _host.Sent.Count);
        Assert.Equal(["tls", "tlf"], _host.Events);
        Assert.Equal(long.MaxValue, _fsm.NextDeadlineMs);
    }

    [Fact]
    public void Ack_then_peer_request_opens_the_layer()
    {
        Start();
        Receive(CpCode.ConfigureAck, 1, "10 03 01");
        Assert.Equal(NegotiationState.AckReceived, _fsm.State);

        Receive(CpCode.ConfigureRequest, 0x33, "20 02");
        Assert.Equal(NegotiationState.Opened, _fsm.State);
        Assert.Equal("02 33 00 06 20 02", Hex.Of(_host.Sent[^1]));
        Assert.Equal(["tls", "tlu"], _host.Events);
        Assert.Equal(long.MaxValue, _fsm.NextDeadlineMs);
    }

    [Fact]
    public void Peer_request_then_Ack_opens_the_layer()
    {
        Start();
        Receive(CpCode.ConfigureRequest, 9, "20 02");
        Assert.Equal(NegotiationState.AckSent, _fsm.State);
        Receive(CpCode.ConfigureAck, 1, "10 03 01");
        Assert.Equal(NegotiationState.Opened, _fsm.State);
        Assert.Equal(["tls", "tlu"], _host.Events);
    }

    [Theory]
    [InlineData(2, "10 03 01")]
    [InlineData(1, "10 03 02")]
    public void Ack_not_matching_the_request_is_discarded(byte identifier, string options)
    {
        Start();
        Receive(CpCode.ConfigureAck, identifier, options);
        Assert.Equal(NegotiationState.RequestSent, _fsm.State);
    }

    [Fact]
    public void Naks_turn_into_Rejects_after_Max_Failure()
    {
        Start();
        _policy.Verdict = FakePolicy.Judgement.Nak;
        for (int i = 0; i < 5; i++)
        {
            Receive(CpCode.ConfigureRequest, (byte)(50 + i), "20 03 07");
            Assert.Equal($"03 {50 + i:X2} 00 07 20 03 AA", Hex.Of(_host.Sent[^1]));
        }

        Receive(CpCode.ConfigureRequest, 60, "20 03 07");
        Assert.Equal("04 3C 00 07 20 03 07", Hex.Of(_host.Sent[^1]));
        Assert.Equal(NegotiationState.RequestSent, _fsm.State);
    }

    [Fact]
    public void Reject_verdict_is_sent_verbatim()
    {
        Start();
        _policy.Verdict = FakePolicy.Judgement.Reject;
        Receive(CpCode.ConfigureRequest, 4, "20 03 07 21 02");
        Assert.Equal("04 04 00 07 20 03 07", Hex.Of(_host.Sent[^1]));
    }

    [Fact]
    public void Nak_of_our_request_sends_a_new_request_with_new_identifier()
    {
        Start();
        Receive(CpCode.ConfigureNak, 1, "10 03 05");
        Assert.Equal(1, _policy.Naks);
        Assert.Equal("01 02 00 07 10 03 05", Hex.Of(_host.Sent[^1]));
        Assert.Equal(NegotiationState.RequestSent, _fsm.State);
    }

    [Fact]
    public void Nak_with_stale_identifier_is_discarded()
    {
        Start();
        Receive(CpCode.ConfigureNak, 7, "10 03 05");
        Assert.Equal(0, _policy.Naks);
        Assert.Single(_host.Sent);
    }

    [Fact]
    public void Reject_that_policy_cannot_live_with_closes_the_layer()
    {
        Start();
        _policy.RejectReaction = NegotiationReaction.Fail;
        Receive(CpCode.ConfigureReject, 1, "10 03 01");
        Assert.Equal(NegotiationState.Closing, _fsm.State);
        Assert.Equal("05 02 00 04", Hex.Of(_host.Sent[^1]));
    }

    [Fact]
    public void Terminate_Request_in_Opened_acks_and_stops_after_one_restart_period()
    {
        OpenLayer();
        Receive(CpCode.TerminateRequest, 0x44, "", 1000);
        Assert.Equal(NegotiationState.Stopping, _fsm.State);
        Assert.Equal("06 44 00 04", Hex.Of(_host.Sent[^1]));
        Assert.Equal(["tls", "tlu", "tld"], _host.Events);
        Assert.Equal(1000 + 3000, _fsm.NextDeadlineMs);

        _fsm.OnTimer(4000);
        Assert.Equal(NegotiationState.Stopped, _fsm.State);
        Assert.Equal(["tls", "tlu", "tld", "tlf"], _host.Events);
    }

    [Fact]
    public void Close_in_Opened_sends_Max_Terminate_requests_then_finishes()
    {
        OpenLayer();
        int before = _host.Sent.Count;
        _fsm.Close("admin", 1000);
        Assert.Equal(NegotiationState.Closing, _fsm.State);
        Assert.Equal(CpCode.TerminateRequest, _host.Sent[^1][0]);

        _fsm.OnTimer(4000);
        Assert.Equal(CpCode.TerminateRequest, _host.Sent[^1][0]);
        Assert.Equal(before + 2, _host.Sent.Count);

        _fsm.OnTimer(7000);
        Assert.Equal(NegotiationState.Closed, _fsm.State);
        Assert.Equal(before + 2, _host.Sent.Count);
        Assert.Equal(["tls", "tlu", "tld", "tlf"], _host.Events);
        Assert.Equal("admin", _fsm.LastReason);
    }

    [Fact]
    public void Terminate_Ack_in_Closing_finishes_immediately()
    {
        OpenLayer();
        _fsm.Close("bye", 1000);
        Receive(CpCode.TerminateAck, _host.Sent[^1][1], "");
        Assert.Equal(NegotiationState.Closed, _fsm.State);
        Assert.Equal("tlf", _host.Events[^1]);
    }

    [Fact]
    public void Configure_Request_in_Closed_is_answered_with_Terminate_Ack()
    {
        _fsm.Up(0);
        _fsm.Receive(Packet(CpCode.ConfigureRequest, 3, "20 02"), 0);
        Assert.Equal("06 03 00 04", Hex.Of(_host.Sent.Single()));
        Assert.Equal(NegotiationState.Closed, _fsm.State);
    }

    [Fact]
    public void Configure_Request_in_Opened_renegotiates()
    {
        OpenLayer();
        Receive(CpCode.ConfigureRequest, 0x55, "20 02");
        Assert.Equal(NegotiationState.AckSent, _fsm.State);
        Assert.Equal("tld", _host.Events[^1]);
        Assert.Equal(CpCode.ConfigureRequest, _host.Sent[^2][0]);
        Assert.Equal("02 55 00 06 20 02", Hex.Of(_host.Sent[^1]));
    }

    [Fact]
    public void Unknown_code_is_answered_with_Code_Reject()
    {
        Start();
        Receive(0x20, 0x21, "01 02 03");
        Assert.Equal("07 02 00 0B 20 21 00 07 01 02 03", Hex.Of(_host.Sent[^1]));
    }

    [Fact]
    public void Code_Reject_is_truncated_to_peer_mru()
    {
        Start();
        _fsm.PeerMru = 8;
        Receive(0x20, 0x21, "01 02 03");
        Assert.Equal("07 02 00 08 20 21 00 07", Hex.Of(_host.Sent[^1]));
    }

    [Fact]
    public void Code_Reject_of_a_configure_code_is_catastrophic()
    {
        Start();
        Receive(CpCode.CodeReject, 9, "01 01 00 04");
        Assert.Equal(NegotiationState.Stopped, _fsm.State);
        Assert.Equal("tlf", _host.Events[^1]);
    }

    [Fact]
    public void Code_Reject_of_an_optional_code_is_tolerated()
    {
        OpenLayer();
        Receive(CpCode.CodeReject, 9, "0C 01 00 04");
        Assert.Equal(NegotiationState.Opened, _fsm.State);
    }

    [Fact]
    public void Down_in_Opened_signals_layer_down()
    {
        OpenLayer();
        _fsm.Down(2000);
        Assert.Equal(NegotiationState.Starting, _fsm.State);
        Assert.Equal("tld", _host.Events[^1]);
        Assert.Equal(long.MaxValue, _fsm.NextDeadlineMs);
    }

    [Fact]
    public void Protocol_rejected_in_request_sent_stops()
    {
        Start();
        _fsm.ProtocolRejected(10);
        Assert.Equal(NegotiationState.Stopped, _fsm.State);
        Assert.Equal("tlf", _host.Events[^1]);
    }

    [Fact]
    public void Close_in_Request_Sent_sends_Terminate_Request_and_Open_in_Closing_goes_to_Stopping()
    {
        Start();
        _fsm.Close("bye", 0);
        Assert.Equal(NegotiationState.Closing, _fsm.State);
        Assert.Equal("05 02 00 04", Hex.Of(_host.Sent[^1]));
        _fsm.Open(0);
        Assert.Equal(NegotiationState.Stopping, _fsm.State);
        _fsm.Close("bye", 0);
        Assert.Equal(NegotiationState.Closing, _fsm.State);
    }

    [Fact]
    public void Stopped_layer_restarts_on_peer_request()
    {
        Start();
        _fsm.ProtocolRejected(0);
        Assert.Equal(NegotiationState.Stopped, _fsm.State);
        int resets = _policy.Resets;

        Receive(CpCode.ConfigureRequest, 0x70, "20 02", 500);
        Assert.Equal(NegotiationState.AckSent, _fsm.State);
        Assert.Equal(CpCode.ConfigureRequest, _host.Sent[^2][0]);
        Assert.Equal("02 70 00 06 20 02", Hex.Of(_host.Sent[^1]));
        Assert.Equal(resets + 1, _policy.Resets);
        Assert.Equal(3500, _fsm.NextDeadlineMs);
    }

    [Fact]
    public void Down_in_Stopped_signals_layer_started()
    {
        Start();
        _fsm.ProtocolRejected(0);
        _fsm.Down(0);
        Assert.Equal(NegotiationState.Starting, _fsm.State);
        Assert.Equal(["tls", "tlf", "tls"], _host.Events);
        _fsm.Up(0);
        Assert.Equal(NegotiationState.RequestSent, _fsm.State);
    }

    [Fact]
    public void Close_in_Starting_finishes_and_returns_to_Initial()
    {
        _fsm.Open(0);
        _fsm.Close("never mind", 0);
        Assert.Equal(NegotiationState.Initial, _fsm.State);
        Assert.Equal(["tls", "tlf"], _host.Events);
        Assert.Empty(_host.Sent);
    }

    [Fact]
    public void Packets_before_Up_are_discarded()
    {
        _fsm.Open(0);
        Receive(CpCode.ConfigureRequest, 1, "20 02");
        Receive(0x20, 1, "");
        Assert.Empty(_host.Sent);
        Assert.Equal(NegotiationState.Starting, _fsm.State);
    }

    [Fact]
    public void Terminate_Request_in_Ack_Received_goes_back_to_Request_Sent()
    {
        Start();
        Receive(CpCode.ConfigureAck, 1, "10 03 01");
        Receive(CpCode.TerminateRequest, 0x12, "");
        Assert.Equal(NegotiationState.RequestSent, _fsm.State);
        Assert.Equal("06 12 00 04", Hex.Of(_host.Sent[^1]));
    }

    [Fact]
    public void Terminate_Ack_in_Opened_renegotiates()
    {
        OpenLayer();
        Receive(CpCode.TerminateAck, 0x12, "");
        Assert.Equal(NegotiationState.RequestSent, _fsm.State);
        Assert.Equal("tld", _host.Events[^1]);
        Assert.Equal(CpCode.ConfigureRequest, _host.Sent[^1][0]);
    }

    [Fact]
    public void Timers_are_configurable()
    {
        var timers = new NegotiationTimers { RestartMs = 1000, MaxConfigure = 2 };
        var fsm = new NegotiationAutomaton(Protocol, "TEST", _policy, _host, timers, NullLogger.Instance);
        fsm.Open(0);
        fsm.Up(0);
        Assert.Equal(1000, fsm.NextDeadlineMs);
        fsm.OnTimer(1000);
        Assert.Equal(2, _host.Sent.Count);
        fsm.OnTimer(2000);
        Assert.Equal(NegotiationState.Stopped, fsm.State);
        Assert.Equal(2, _host.Sent.Count);
    }

    private void Start()
    {
        _fsm.Open(0);
        _fsm.Up(0);
    }

    private void OpenLayer()
    {
        Start();
        Receive(CpCode.ConfigureRequest, 9, "20 02");
        Receive(CpCode.ConfigureAck, 1, "10 03 01", 1000);
        Assert.Equal(NegotiationState.Opened, _fsm.State);
    }

    private void Receive(byte code, byte identifier, string data, long nowMs = 0) =>
        _fsm.Receive(Packet(code, identifier, data), nowMs);

    private static CpPacket Packet(byte code, byte identifier, string data)
    {
        byte[] body = Hex.Parse(data);
        byte[] packet = new byte[4 + body.Length];
        CpPacket.Write(packet, code, identifier, body);
        Assert.Equal(CpParseStatus.Ok, CpPacket.TryParse(packet, out CpPacket parsed));
        return parsed;
    }

    private sealed class FakeHost : INegotiationHost
    {
        public List<byte[]> Sent { get; } = [];

        public List<string> Events { get; } = [];

        public void SendControl(ushort protocol, ReadOnlySpan<byte> packet)
        {
            Assert.Equal(Protocol, protocol);
            Sent.Add(packet.ToArray());
        }

        public void ThisLayerUp(NegotiationAutomaton layer, long nowMs) => Events.Add("tlu");

        public void ThisLayerDown(NegotiationAutomaton layer, long nowMs) => Events.Add("tld");

        public void ThisLayerStarted(NegotiationAutomaton layer, long nowMs) => Events.Add("tls");

        public void ThisLayerFinished(NegotiationAutomaton layer, long nowMs) => Events.Add("tlf");
    }

    /// <summary>Requests option 0x10 = value; judges the peer's first option according to <see cref="Verdict"/>.</summary>
    private sealed class FakePolicy : INegotiationPolicy
    {
        public enum Judgement
        {
            Ack,
            Nak,
            Reject,
        }

        private byte _value = 1;

        public Judgement Verdict { get; set; }

        public NegotiationReaction RejectReaction { get; set; }

        public int Resets { get; private set; }

        public int Naks { get; private set; }

        public void Reset()
        {
            Resets++;
            _value = 1;
        }

        public void BuildRequest(CpOptionBuffer options) => options.Add(0x10, [_value]);

        public void JudgeRequest(ReadOnlySpan<byte> options, CpResponseBuilder response)
        {
            foreach (CpOption option in CpPacket.EnumerateOptions(options))
            {
                if (Verdict == Judgement.Nak)
                {
                    response.Nak(option, [0xAA]);
                }
                else if (Verdict == Judgement.Reject)
                {
                    response.Reject(option);
                }

                break;
            }
        }

        public void OnRequestAcked(ReadOnlySpan<byte> options)
        {
        }

        public void OnAckReceived(ReadOnlySpan<byte> options)
        {
        }

        public NegotiationReaction OnNakReceived(ReadOnlySpan<byte> options)
        {
            Naks++;
            _value = options[2];
            return NegotiationReaction.Continue;
        }

        public NegotiationReaction OnRejectReceived(ReadOnlySpan<byte> options) => RejectReaction;
    }
}

using System.Buffers;
using Gateway.Sstp;
using static Gateway.Tests.Sstp.SessionHarness;

namespace Gateway.Tests.Sstp;

public class SstpClientSessionTests
{
    private readonly ArrayBufferWriter<byte> _output = new();
    private readonly FakePppEndpoint _ppp = new();
    private readonly TestLogger _logger = new();
    private readonly SstpClientOptions _options = new();

    private SstpClientSession Create(byte[]? certSha1 = null, byte[]? certSha256 = null)
    {
        var session = new SstpClientSession(_options, certSha1 ?? CertSha1, certSha256 ?? CertSha256, _output, _logger);
        _ppp.Sink = session;
        session.AttachPpp(_ppp);
        return session;
    }

    private SstpControlMessage SingleControl() => Control(Assert.Single(Drain(_output)));

    [Fact]
    public void Start_sends_the_fixed_connect_request()
    {
        var client = Create();
        client.Start(0);
        Assert.Equal("1001000E00010001000100060001", Hex.Of(Assert.Single(Drain(_output))));
        Assert.Equal(SstpState.ConnectRequestSent, client.State);
        Assert.Equal(60_000, client.NextDeadlineMs);
    }

    [Fact]
    public void Sha256_spec_vector_call_connected_is_reproduced_exactly()
    {
        byte[] nonce = Hex.Bytes("412B489AEBD7ECC7D08966F26BE7CD72B231A0E9210D7C91B308862B0344C435");
        byte[] certHash = Hex.Bytes("7993EF314C493DACE9F02D60E7E61C84B6690AAFE9D7AEEA92CBBE8AD599422D");
        byte[] hlak = Hex.Bytes("2A1BB40D55AB0F5EF32F06F2B3CC73C48FD3FAC41D7A1315A19228D9024CA164");
        var client = Create(certSha256: certHash);
        client.Start(0);
        Drain(_output);

        client.Receive(Hex.Bytes("10010030000200010004002800000002" + Hex.Of(nonce)), 10);
        Assert.Equal(SstpState.ConnectAckReceived, client.State);
        Assert.Equal(1, _ppp.LowerUpCount);
        client.OnHigherLayerAuthenticated(hlak, 20);

        Assert.Equal(
            "10010070000400010003006800000002" + Hex.Of(nonce) + Hex.Of(certHash)
            + "52A68EFD8CFFBF52770B8F0FE8EC73716583AF6D611EB6D179B3B20840985449",
            Hex.Of(Assert.Single(Drain(_output))));
        Assert.Equal(SstpState.CallConnected, client.State);
        Assert.True(client.DataAllowed);
    }

    [Fact]
    public void Sha1_spec_vector_call_connected_is_reproduced_exactly()
    {
        byte[] nonce = Hex.Bytes("0F1A2D58D4A3E3000FAD3CE4906E07B707AA9E441CCEAC5CBD7B2CC1C9D86CDF");
        byte[] certHash = Hex.Bytes("5826B629BDA59B8E6FD8DCD2622FD34C534805A5");
        byte[] hlak = Hex.Bytes("4B3128F43925D9006EEFB1C4E86515A1D88E56BAB3CA2BDF0373B7F5A8A13B19");
        var client = Create(certSha1: certHash);
        client.Start(0);
        Drain(_output);

        client.Receive(Hex.Bytes("10010030000200010004002800000001" + Hex.Of(nonce)), 10);
        Assert.Equal(SstpHashProtocol.Sha1, client.HashProtocol);
        client.OnHigherLayerAuthenticated(hlak, 20);

        string zeros = new('0', 24);
        Assert.Equal(
            "10010070000400010003006800000001" + Hex.Of(nonce) + Hex.Of(certHash) + zeros
            + "69915DD583D8062FEF16F61DB2F03290EC27CB6C" + zeros,
            Hex.Of(Assert.Single(Drain(_output))));
    }

    [Theory]
    [InlineData(SstpHashProtocol.Sha1 | SstpHashProtocol.Sha256, SstpHashProtocol.Sha1 | SstpHashProtocol.Sha256, SstpHashProtocol.Sha256)]
    [InlineData(SstpHashProtocol.Sha1, SstpHashProtocol.Sha1 | SstpHashProtocol.Sha256, SstpHashProtocol.Sha1)]
    [InlineData(SstpHashProtocol.Sha1 | SstpHashProtocol.Sha256, SstpHashProtocol.Sha1, SstpHashProtocol.Sha1)]
    public void Client_picks_sha256_when_offered_and_supported(SstpHashProtocol offered, SstpHashProtocol supported, SstpHashProtocol chosen)
    {
        _options.HashProtocols = supported;
        var client = Create();
        client.Start(0);
        client.Receive(SstpControlMessage.CallConnectAck(offered, FixedNonce).ToArray(), 1);
        Assert.Equal(chosen, client.HashProtocol);
        Assert.Equal(SstpState.ConnectAckReceived, client.State);
    }

    [Fact]
    public void No_common_hash_aborts()
    {
        _options.HashProtocols = SstpHashProtocol.Sha1;
        var client = Create();
        client.Start(0);
        Drain(_output);
        client.Receive(SstpControlMessage.CallConnectAck(SstpHashProtocol.Sha256, FixedNonce).ToArray(), 1);
        var abort = SingleControl();
        Assert.Equal(SstpMessageType.CallAbort, abort.MessageType);
        Assert.Equal((SstpAttributeId.CryptoBindingRequest, SstpStatus.ValueNotSupported), (StatusOf(abort).AttributeId, StatusOf(abort).Status));
        Assert.Equal(0, _ppp.LowerUpCount);
    }

    [Fact]
    public void Ack_without_crypto_binding_request_aborts()
    {
        var client = Create();
        client.Start(0);
        Drain(_output);
        client.Receive(Hex.Bytes("1001000800020000"), 1);
        var abort = SingleControl();
        Assert.Equal((SstpAttributeId.CryptoBindingRequest, SstpStatus.RequiredAttributeMissing), (StatusOf(abort).AttributeId, StatusOf(abort).Status));
        Assert.Equal(SstpState.CallAbortPending, client.State);
    }

    [Fact]
    public void Nak_makes_the_client_retry_three_times_then_abort()
    {
        var client = Create();
        client.Start(0);
        Drain(_output);
        byte[] nak = SstpControlMessage.CallConnectNak(new SstpStatusInfo(SstpAttributeId.EncapsulatedProtocolId, SstpStatus.ValueNotSupported)).ToArray();
        for (int i = 1; i <= 3; i++)
        {
            client.Receive(nak, i * 100);
            Assert.Equal("1001000E00010001000100060001", Hex.Of(Assert.Single(Drain(_output))));
            Assert.Equal(60_000 + i * 100, client.NextDeadlineMs);
        }

        client.Receive(nak, 400);
        var abort = SingleControl();
        Assert.Equal((SstpAttributeId.StatusInfo, SstpStatus.RetryCountExceeded), (StatusOf(abort).AttributeId, StatusOf(abort).Status));
    }

    [Fact]
    public void Negotiation_timeouts_abort()
    {
        var client = Create();
        client.Start(0);
        Drain(_output);
        client.OnTimer(60_000);
        Assert.Equal(SstpStatus.NegotiationTimeout, StatusOf(SingleControl()).Status);

        var second = new SstpClientSession(_options, CertSha1, CertSha256, _output, _logger);
        var ppp = new FakePppEndpoint { Sink = second };
        second.AttachPpp(ppp);
        second.Start(0);
        second.Receive(SstpControlMessage.CallConnectAck(SstpHashProtocol.Sha256, FixedNonce).ToArray(), 1_000);
        Drain(_output);
        second.OnTimer(61_000);
        Assert.Equal(SstpStatus.NegotiationTimeout, StatusOf(SingleControl()).Status);
        Assert.Equal(1, ppp.LowerDownCount);
    }

    [Fact]
    public void Gating_on_the_client_side()
    {
        var client = Create();
        client.Start(0);
        Drain(_output);
        _ppp.Sink!.SendFrame(LcpFrame);
        Assert.Empty(Drain(_output));

        client.Receive(SstpControlMessage.CallConnectAck(SstpHashProtocol.Sha256, FixedNonce).ToArray(), 1);
        _ppp.Sink.SendFrame(LcpFrame);
        _ppp.Sink.SendFrame(Ipv4Frame);
        Assert.Equal(Hex.Of(DataPacket(LcpFrame)), Hex.Of(Assert.Single(Drain(_output))));
        Assert.Equal(SstpInputKind.None, client.Receive(DataPacket(Ipv4Frame), 2).Kind);

        client.OnHigherLayerAuthenticated(Hlak, 3);
        Drain(_output);
        _ppp.Sink.SendFrame(Ipv4Frame);
        Assert.Single(Drain(_output));
        Assert.Equal(SstpInputKind.IPv4, client.Receive(DataPacket(Ipv4Frame), 4).Kind);
    }

    [Fact]
    public void Hlak_before_the_ack_is_ignored()
    {
        var client = Create();
        client.Start(0);
        Drain(_output);
        client.OnHigherLayerAuthenticated(Hlak, 1);
        Assert.Empty(Drain(_output));
        Assert.Equal(SstpState.ConnectRequestSent, client.State);
    }

    [Fact]
    public void Mutation_hooks_alter_the_sent_message()
    {
        _options.MutateCallConnectedAfterMac = m => m[16] ^= 0xFF;
        var client = Create();
        client.Start(0);
        client.Receive(SstpControlMessage.CallConnectAck(SstpHashProtocol.Sha256, FixedNonce).ToArray(), 1);
        Drain(_output);
        client.OnHigherLayerAuthenticated(Hlak, 2);
        byte[] sent = Assert.Single(Drain(_output));
        Assert.Equal((byte)(FixedNonce[0] ^ 0xFF), sent[16]);
    }
}

using System.Buffers;
using Gateway.Sstp;
using static Gateway.Tests.Sstp.SessionHarness;

namespace Gateway.Tests.Sstp;

/// <summary>The client and server state machines talking to each other through in-memory buffers.</summary>
public class SstpClientServerTests
{
    private readonly ArrayBufferWriter<byte> _clientOut = new();
    private readonly ArrayBufferWriter<byte> _serverOut = new();
    private readonly FakePppEndpoint _clientPpp = new() { SendOnLowerUp = Hex.Bytes("FF03C021 0101 0004") };
    private readonly FakePppEndpoint _serverPpp = new() { SendOnLowerUp = Hex.Bytes("FF03C021 0102 0004") };
    private readonly SstpClientOptions _clientOptions = new();
    private readonly SstpOptions _serverOptions = new();
    private readonly List<(SstpInput Input, byte[] Packet)> _serverInputs = [];
    private readonly List<(SstpInput Input, byte[] Packet)> _clientInputs = [];
    private SstpClientSession _client = null!;
    private SstpServerSession _server = null!;

    private void Create()
    {
        _client = new SstpClientSession(_clientOptions, CertSha1, CertSha256, _clientOut, new TestLogger());
        _server = new SstpServerSession(_serverOptions, CertSha1, CertSha256, _serverOut, new TestLogger());
        _clientPpp.Sink = _client;
        _serverPpp.Sink = _server;
        _client.AttachPpp(_clientPpp);
        _server.AttachPpp(_serverPpp);
    }

    private void Pump(long now)
    {
        for (int round = 0; round < 50 && (_clientOut.WrittenCount > 0 || _serverOut.WrittenCount > 0); round++)
        {
            foreach (var packet in Drain(_clientOut))
            {
                _serverInputs.Add((_server.Receive(packet, now), packet));
            }

            foreach (var packet in Drain(_serverOut))
            {
                _clientInputs.Add((_client.Receive(packet, now), packet));
            }
        }
    }

    private void Handshake(bool serverAuthenticatesFirst = true)
    {
        Create();
        _server.Start(0);
        _client.Start(0);
        Pump(10);
        Assert.Equal(SstpState.CallConnectedPending, _server.State);
        Assert.Equal(SstpState.ConnectAckReceived, _client.State);

        // Both PPP engines got each other's LCP frame once the ACK was through.
        Assert.Equal("FF03C02101010004", Hex.Of(Assert.Single(_serverPpp.Received)));
        Assert.Equal("FF03C02101020004", Hex.Of(Assert.Single(_clientPpp.Received)));

        if (serverAuthenticatesFirst)
        {
            _server.OnHigherLayerAuthenticated(Hlak, 20);
            _client.OnHigherLayerAuthenticated(Hlak, 20);
        }
        else
        {
            _client.OnHigherLayerAuthenticated(Hlak, 20);
            Pump(20);
            Assert.Equal(SstpState.CallConnectedPending, _server.State); // held
            _server.OnHigherLayerAuthenticated(Hlak, 30);
        }

        Pump(30);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Client_and_server_reach_call_connected_and_exchange_ip(bool serverAuthenticatesFirst)
    {
        Handshake(serverAuthenticatesFirst);
        Assert.Equal(SstpState.CallConnected, _server.State);
        Assert.Equal(SstpState.CallConnected, _client.State);
        Assert.Equal(SstpHashProtocol.Sha256, _server.NegotiatedHashProtocol);
        Assert.True(_server.DataAllowed && _client.DataAllowed);

        _serverInputs.Clear();
        _clientPpp.Sink!.SendFrame(Ipv4Frame);
        Pump(40);
        var (input, packet) = Assert.Single(_serverInputs);
        Assert.Equal(SstpInputKind.IPv4, input.Kind);
        Assert.Equal(Hex.Of(Ipv4Frame.AsSpan(4)), Hex.Of(packet.AsSpan(input.Offset, input.Length)));

        // TUN -> client fast path through the server's prefix writer.
        byte[] ip = Ipv4Frame[4..];
        var frame = new byte[8 + ip.Length];
        Assert.Equal(8, _server.WriteDataPacketHeader(frame, 0x0021, ip.Length));
        ip.CopyTo(frame, 8);
        _clientInputs.Clear();
        _clientInputs.Add((_client.Receive(frame, 50), frame));
        Assert.Equal(SstpInputKind.IPv4, _clientInputs[0].Input.Kind);
        Assert.Equal(8, _clientInputs[0].Input.Offset);
    }

    [Fact]
    public void Sha1_only_server_works_with_the_client()
    {
        _serverOptions.HashProtocols = SstpHashProtocol.Sha1;
        Handshake();
        Assert.Equal(SstpState.CallConnected, _server.State);
        Assert.Equal(SstpHashProtocol.Sha1, _server.NegotiatedHashProtocol);
        Assert.Equal(SstpHashProtocol.Sha1, _client.HashProtocol);
    }

    [Fact]
    public void Echo_keeps_both_sides_alive()
    {
        Handshake();
        _server.OnTimer(20_030);
        Pump(20_030);
        Assert.Equal(SstpState.CallConnected, _server.State);
        Assert.Equal(40_030, _server.NextDeadlineMs);
        Assert.Equal(40_030, _client.NextDeadlineMs);
    }

    public static TheoryData<string> Faults => ["nonce", "cert hash", "mac", "hash protocol"];

    [Theory]
    [MemberData(nameof(Faults))]
    public void Wrong_binding_from_the_client_is_aborted_and_both_sides_clean_up(string fault)
    {
        switch (fault)
        {
            case "nonce": _clientOptions.MutateCallConnectedBeforeMac = m => m[30] ^= 0x80; break;
            case "cert hash": _clientOptions.MutateCallConnectedBeforeMac = m => m[50] ^= 0x80; break;
            case "mac": _clientOptions.MutateCallConnectedAfterMac = m => m[90] ^= 0x80; break;
            default:
                _serverOptions.HashProtocols = SstpHashProtocol.Sha256;
                _clientOptions.MutateCallConnectedBeforeMac = m => m[15] = (byte)SstpHashProtocol.Sha1;
                break;
        }

        Handshake();
        Assert.Equal(SstpState.CallAbortTimeoutPending, _server.State); // the client answered our abort
        Assert.Equal(SstpState.CallAbortTimeoutPending, _client.State);
        var status = _client.AbortStatusReceived!.Value;
        Assert.Equal((SstpAttributeId.CryptoBinding, SstpStatus.ValueNotSupported), (status.AttributeId, status.Status));
        Assert.Equal(1, _serverPpp.LowerDownCount);
        Assert.Equal(1, _clientPpp.LowerDownCount);

        _server.OnTimer(1_030);
        _client.OnTimer(1_030);
        Assert.True(_server.IsClosed && _client.IsClosed);
    }

    [Fact]
    public void Graceful_disconnect_from_the_server()
    {
        Handshake();
        _serverPpp.TerminateOnClose = true;
        _server.Disconnect("maintenance", 1_000);
        Pump(1_000);

        Assert.True(_server.IsClosed);
        Assert.Equal("maintenance", _serverPpp.CloseReason);
        Assert.Equal(SstpState.CallDisconnectTimeoutPending, _client.State);
        _client.OnTimer(2_000);
        Assert.True(_client.IsClosed);
    }

    [Fact]
    public void Graceful_disconnect_from_the_client()
    {
        Handshake();
        _clientPpp.TerminateOnClose = true;
        _client.Disconnect("user", 1_000);
        Pump(1_000);
        Assert.True(_client.IsClosed);
        Assert.Equal(SstpState.CallDisconnectTimeoutPending, _server.State);
        Assert.Equal(1, _serverPpp.LowerDownCount);
        _server.OnTimer(2_000);
        Assert.True(_server.IsClosed);
    }
}

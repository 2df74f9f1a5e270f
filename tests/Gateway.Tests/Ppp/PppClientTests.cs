using Gateway.Ppp;
using Gateway.Ppp.Auth;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Ppp;

public class PppClientTests
{
    private readonly RecordingSink _sink = new();
    private readonly RecordingClientEvents _events = new();

    [Fact]
    public void First_request_carries_only_the_magic_number()
    {
        PppClient client = Create(AuthMethod.MsChapV2);
        client.LowerUp(0);
        byte[] request = _sink.Single();
        Assert.Equal("FF 03 C0 21 01 01 00 0A 05 06", Hex.Of(request.AsSpan(0, 10)));
    }

    [Fact]
    public void Supported_authentication_is_acked()
    {
        PppClient client = Create(AuthMethod.MsChapV2);
        client.LowerUp(0);
        _sink.Take();
        client.Receive(Hex.Parse("FF 03 C0 21 01 01 00 09 03 05 C2 23 81"), 0);
        Assert.Equal("FF 03 C0 21 02 01 00 09 03 05 C2 23 81", Hex.Of(_sink.Single()));
    }

    [Fact]
    public void Unsupported_authentication_is_Nakd_with_our_preferred_method()
    {
        PppClient client = Create(AuthMethod.Pap, AuthMethod.MsChapV2);
        client.LowerUp(0);
        _sink.Take();
        client.Receive(Hex.Parse("FF 03 C0 21 01 01 00 08 03 04 C2 27"), 0);
        Assert.Equal("FF 03 C0 21 03 01 00 08 03 04 C0 23", Hex.Of(_sink.Single()));
    }

    [Fact]
    public void Authentication_is_rejected_when_the_client_has_no_method()
    {
        PppClient client = Create();
        client.LowerUp(0);
        _sink.Take();
        client.Receive(Hex.Parse("FF 03 C0 21 01 01 00 09 03 05 C2 23 05"), 0);
        Assert.Equal("FF 03 C0 21 04 01 00 09 03 05 C2 23 05", Hex.Of(_sink.Single()));
    }

    [Fact]
    public void Without_authentication_the_client_goes_straight_to_Ipcp_and_adopts_Nakd_values()
    {
        PppClient client = Create();
        client.LowerUp(0);
        byte[] request = _sink.Single();
        request[4] = CpCode.ConfigureAck;
        client.Receive(request, 0);
        client.Receive(Hex.Parse("FF 03 C0 21 01 01 00 0A 05 06 01 02 03 04"), 0);
        List<byte[]> frames = _sink.Take();
        Assert.Equal("FF 03 C0 21 02 01 00 0A 05 06 01 02 03 04", Hex.Of(frames[0]));
        Assert.Equal("FF 03 80 21 01 01 00 16 03 06 00 00 00 00 81 06 00 00 00 00 83 06 00 00 00 00", Hex.Of(frames[1]));
        Assert.Equal(["authenticated"], _events.Log);
        Assert.Equal(new byte[32], _events.Hlak);

        client.Receive(Hex.Parse("FF 03 80 21 04 01 00 0A 83 06 00 00 00 00"), 0);
        Assert.Equal("FF 03 80 21 01 02 00 10 03 06 00 00 00 00 81 06 00 00 00 00", Hex.Of(_sink.Single()));
        client.Receive(Hex.Parse("FF 03 80 21 03 02 00 10 03 06 0A 00 00 05 81 06 01 01 01 01"), 0);
        Assert.Equal("FF 03 80 21 01 03 00 10 03 06 0A 00 00 05 81 06 01 01 01 01", Hex.Of(_sink.Single()));

        client.Receive(Hex.Parse("FF 03 80 21 01 01 00 0A 03 06 0A 00 00 01"), 0);
        Assert.Equal("FF 03 80 21 02 01 00 0A 03 06 0A 00 00 01", Hex.Of(_sink.Single()));
        client.Receive(Hex.Parse("FF 03 80 21 02 03 00 10 03 06 0A 00 00 05 81 06 01 01 01 01"), 0);
        Assert.Equal(NegotiationState.Opened, client.IpcpState);
        Assert.Equal("network-up 10.0.0.5 gw 10.0.0.1 dns 1.1.1.1 ", _events.Log[^1]);
    }

    [Fact]
    public void Server_request_with_zero_address_or_unknown_options_is_rejected()
    {
        PppClient client = Create();
        client.LowerUp(0);
        byte[] request = _sink.Single();
        request[4] = CpCode.ConfigureAck;
        client.Receive(request, 0);
        client.Receive(Hex.Parse("FF 03 C0 21 01 01 00 04"), 0);
        _sink.Take();
        client.Receive(Hex.Parse("FF 03 80 21 01 01 00 10 03 06 00 00 00 00 02 06 00 2D 0F 01"), 0);
        Assert.Equal("FF 03 80 21 04 01 00 10 03 06 00 00 00 00 02 06 00 2D 0F 01", Hex.Of(_sink.Single()));
    }

    [Fact]
    public void SoftEther_5_01_exchange_from_Eap_to_MsChapV2_is_answered_at_every_step()
    {
        // The frames SoftEther 5.01 sent to sstp-client (scripts/bench's peer, default auth list): it rejects the
        // Magic-Number option, asks for EAP, sends EAP-TLS Start under the Identity request's identifier (the
        // client repeats its Identity, RFC 3748 4.1) and again under a new one (the client Naks with type 26),
        // Protocol-Rejects EAP, renegotiates LCP with MS-CHAPv2 and then sends only Echo-Requests with magic 0.
        // The client acks MS-CHAPv2 and answers each echo (magic 0: none was negotiated, RFC 1661 6.4); SoftEther
        // never sends its Challenge (docs/benchmarks.md section 4, "Findings").
        PppClient client = new(new PppClientOptions(), new RealAuthenticators("test", "pw", AuthMethod.MsChapV2, AuthMethod.EapMsChapV2),
            _sink, _events, NullLogger.Instance, new Random(3));
        client.LowerUp(0);
        Assert.Equal("FF 03 C0 21 01 01 00 0A 05 06", Hex.Of(_sink.Single().AsSpan(0, 10)));
        Answer(client, "FF 03 C0 21 04 01 00 0A 05 06 52 98 78 7E", "FF 03 C0 21 01 02 00 04");
        Answer(client, "FF 03 C0 21 01 00 00 08 03 04 C2 27", "FF 03 C0 21 02 00 00 08 03 04 C2 27");
        client.Receive(Hex.Parse("FF 03 C0 21 02 02 00 04"), 0);
        Assert.Equal(NegotiationState.Opened, client.LcpState);
        _sink.Take();
        Answer(client, "FF 03 C2 27 01 01 00 09 01 57 65 6C 63", "FF 03 C2 27 02 01 00 09 01 74 65 73 74");
        Answer(client, "FF 03 C2 27 01 01 00 06 0D 20", "FF 03 C2 27 02 01 00 09 01 74 65 73 74");
        Answer(client, "FF 03 C2 27 01 02 00 06 0D 20", "FF 03 C2 27 02 02 00 06 03 1A");

        client.Receive(Hex.Parse("FF 03 C0 21 08 02 00 0C C2 27 02 02 00 06 03 1A"), 0);
        client.Receive(Hex.Parse("FF 03 C0 21 01 03 00 09 03 05 C2 23 81"), 0);
        List<byte[]> frames = _sink.Take();
        Assert.Equal("FF 03 C0 21 02 03 00 09 03 05 C2 23 81", Hex.Of(frames[^1]));
        client.Receive(Hex.Parse("FF 03 C0 21 02 03 00 04"), 0);
        Assert.Equal(NegotiationState.Opened, client.LcpState);
        Assert.Equal(AuthMethod.MsChapV2, client.AuthenticationMethod);
        _sink.Take();

        Answer(client, "FF 03 C0 21 09 00 00 18 00 00 00 00 41 68 6F 20 42 61 6B 61 20 4D 61 6E 75 6B 65 00", "FF 03 C0 21 0A 00 00 18 00 00 00 00 41 68 6F 20 42 61 6B 61 20 4D 61 6E 75 6B 65 00");
    }

    private void Answer(PppClient client, string received, string expectedReply)
    {
        client.Receive(Hex.Parse(received), 0);
        Assert.Equal(expectedReply, Hex.Of(_sink.Single()));
    }

    private sealed class RealAuthenticators(string user, string password, params AuthMethod[] methods) : IClientAuthenticatorFactory
    {
        private readonly ClientAuthenticatorFactory _factory = new(user, password);

        public IReadOnlyList<AuthMethod> Methods => methods;

        public IClientAuthenticator Create(AuthMethod method) => _factory.Create(method)!;
    }

    private PppClient Create(params AuthMethod[] methods) =>
        new(new PppClientOptions(), new FakeClientAuthenticatorFactory("alice", methods), _sink, _events,
            NullLogger.Instance, new Random(3));
}

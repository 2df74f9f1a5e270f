using System.Net;
using FsCheck.Xunit;
using Gateway.Ppp;
using Gateway.Ppp.Auth;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Ppp;

/// <summary>PppServer and PppClient connected back to back in memory.</summary>
public class PppLinkTests
{
    private static readonly ushort[] Protocols =
    [
        PppProtocol.Lcp, PppProtocol.Ipcp, PppProtocol.Ipv6cp, PppProtocol.Pap, PppProtocol.Chap, PppProtocol.Ccp,
        PppProtocol.IPv4, PppProtocol.IPv6,
    ];

    private readonly Queue<byte[]> _toClient = new();
    private readonly Queue<byte[]> _toServer = new();
    private readonly QueueSink _serverSink;
    private readonly QueueSink _clientSink;
    private readonly RecordingServerEvents _serverEvents = new();
    private readonly RecordingClientEvents _clientEvents = new();
    private readonly List<byte[]> _serverIPv4 = [];
    private readonly List<byte[]> _clientIPv4 = [];
    private readonly List<byte[]> _clientIPv6 = [];
    private PppServer _server = null!;
    private PppClient _client = null!;
    private long _now;

    public PppLinkTests()
    {
        _serverSink = new QueueSink(_toClient);
        _clientSink = new QueueSink(_toServer);
    }

    [Fact]
    public void Negotiates_up_to_Ipcp_Opened_and_carries_IPv4_both_ways()
    {
        Build(new PppOptions { AuthMethods = [AuthMethod.MsChapV2], DnsServers = ["8.8.8.8", "8.8.4.4"] }, "alice",
            [AuthMethod.MsChapV2]);
        _serverEvents.AddressRequired = _ => _server.SetAddresses(
            new PppAddressAssignment(IPAddress.Parse("10.1.0.7"), IPAddress.Parse("10.1.0.1")), _now);

        _server.LowerUp(_now);
        _client.LowerUp(_now);
        Pump();

        Assert.Equal(NegotiationState.Opened, _server.IpcpState);
        Assert.Equal(NegotiationState.Opened, _client.IpcpState);
        Assert.Equal(
            ["authenticated alice", "address-required alice", "network-up 10.1.0.7"],
            _serverEvents.Log);
        Assert.Equal(["authenticated", "network-up 10.1.0.7 gw 10.1.0.1 dns 8.8.8.8 8.8.4.4"], _clientEvents.Log);
        Assert.Equal(FakeServerAuthenticator.TestHlak, _clientEvents.Hlak);
        Assert.Equal(_serverEvents.Hlak, _clientEvents.Hlak);
        Assert.Equal(AuthMethod.MsChapV2, _client.AuthenticationMethod);
        Assert.Equal(IPAddress.Parse("10.1.0.7"), _client.Address);
        Assert.Equal(1400, _client.PeerMru);
        Assert.Equal(1400, _server.LocalMru);
        Assert.Equal(long.MaxValue, _server.NextDeadlineMs);

        byte[] up = Hex.Parse("45 00 00 14 00 01 00 00 40 11 00 00 0A 01 00 07 08 08 08 08");
        Assert.True(_client.SendIPv4(up));
        byte[] down = Hex.Parse("45 00 00 14 00 02 00 00 40 06 00 00 08 08 08 08 0A 01 00 07");
        Assert.True(_server.SendIPv4(down));
        Pump();
        Assert.Equal(up, Assert.Single(_serverIPv4));
        Assert.Equal(down, Assert.Single(_clientIPv4));
    }

    [Fact]
    public void Client_Naks_towards_the_method_it_supports()
    {
        Build(new PppOptions { AuthMethods = [AuthMethod.MsChapV2, AuthMethod.Pap] }, "alice", [AuthMethod.Pap]);
        _serverEvents.AddressRequired = _ => _server.SetAddresses(
            new PppAddressAssignment(IPAddress.Parse("10.1.0.7"), IPAddress.Parse("10.1.0.1")), _now);
        _server.LowerUp(_now);
        _client.LowerUp(_now);
        Pump();
        Assert.Equal(AuthMethod.Pap, _server.AuthenticationMethod);
        Assert.Equal(NegotiationState.Opened, _client.IpcpState);
        Assert.Contains(_clientSink.Log, f => Hex.Of(f).StartsWith("FF 03 C0 21 03", StringComparison.Ordinal)
            && Hex.Of(f).EndsWith("03 04 C0 23", StringComparison.Ordinal));
    }

    [Fact]
    public void Address_assigned_later_by_the_host()
    {
        Build(new PppOptions { AuthMethods = [AuthMethod.MsChapV2] }, "alice", [AuthMethod.MsChapV2]);
        _server.LowerUp(_now);
        _client.LowerUp(_now);
        Pump();
        Assert.Equal(PppPhase.Network, _server.Phase);
        Assert.Equal(NegotiationState.RequestSent, _client.IpcpState);
        Assert.Equal(NegotiationState.Initial, _server.IpcpState);

        _now = 500;
        _server.SetAddresses(new PppAddressAssignment(IPAddress.Parse("10.1.0.9"), IPAddress.Parse("10.1.0.1")), _now);
        Pump();
        Assert.Equal(NegotiationState.Opened, _server.IpcpState);
        Assert.Equal("network-up 10.1.0.9 gw 10.1.0.1 dns  ", _clientEvents.Log[^1]);
    }

    [Fact]
    public void Authentication_failure_terminates_both_ends()
    {
        Build(new PppOptions { AuthMethods = [AuthMethod.MsChapV2] }, "mallory", [AuthMethod.MsChapV2]);
        _server.LowerUp(_now);
        _client.LowerUp(_now);
        Pump();
        Assert.True(_server.IsTerminated);
        Assert.Equal("auth-failed mallory: unknown user", _serverEvents.Log[0]);
        Assert.StartsWith("terminated authentication failed", _serverEvents.Log[^1], StringComparison.Ordinal);
        Assert.Equal("auth-failed rejected by server", _clientEvents.Log[0]);

        // The client stops after the server's Terminate-Ack or its own restart timer.
        for (int i = 1; i <= 3 && !_client.IsTerminated; i++)
        {
            _now += 3000;
            _client.OnTimer(_now);
            _server.OnTimer(_now);
            Pump();
        }

        Assert.True(_client.IsTerminated);
        Assert.Equal(NegotiationState.Initial, _client.IpcpState);
    }

    [Fact]
    public void Ipv6cp_comes_up_when_both_enable_it()
    {
        Build(new PppOptions { AuthMethods = [AuthMethod.EapMsChapV2], Ipv6Enabled = true }, "alice",
            [AuthMethod.EapMsChapV2], ipv6: true);
        _serverEvents.AddressRequired = _ => _server.SetAddresses(
            new PppAddressAssignment(IPAddress.Parse("10.1.0.7"), IPAddress.Parse("10.1.0.1"), GatewayInterfaceId: 0x11, ClientInterfaceId: 0x22), _now);
        _server.LowerUp(_now);
        _client.LowerUp(_now);
        Pump();
        Assert.Equal(NegotiationState.Opened, _server.Ipv6cpState);
        Assert.Equal(NegotiationState.Opened, _client.Ipv6cpState);
        (ulong local, ulong peer) = _server.Ipv6InterfaceIds!.Value;
        Assert.Equal(0x11UL, local);
        Assert.NotEqual(0UL, peer);
        Assert.Contains($"ipv6-up {peer:X16} {local:X16}", _clientEvents.Log);

        byte[] packet = Hex.Parse("60 00 00 00 00 00 3B 40");
        Assert.True(_server.SendIPv6(packet));
        Pump();
        Assert.Equal(packet, Assert.Single(_clientIPv6));
    }

    [Fact]
    public void Ipv6cp_from_client_is_rejected_when_server_disables_it_and_ipv4_still_works()
    {
        Build(new PppOptions { AuthMethods = [AuthMethod.MsChapV2] }, "alice", [AuthMethod.MsChapV2], ipv6: true);
        _serverEvents.AddressRequired = _ => _server.SetAddresses(
            new PppAddressAssignment(IPAddress.Parse("10.1.0.7"), IPAddress.Parse("10.1.0.1")), _now);
        _server.LowerUp(_now);
        _client.LowerUp(_now);
        Pump();
        Assert.Equal(NegotiationState.Opened, _client.IpcpState);
        Assert.Equal(NegotiationState.Stopped, _client.Ipv6cpState);
        Assert.Null(_server.Ipv6cpState);
    }

    [Fact]
    public void Server_close_terminates_both_ends()
    {
        Build(new PppOptions { AuthMethods = [AuthMethod.MsChapV2] }, "alice", [AuthMethod.MsChapV2]);
        _serverEvents.AddressRequired = _ => _server.SetAddresses(
            new PppAddressAssignment(IPAddress.Parse("10.1.0.7"), IPAddress.Parse("10.1.0.1")), _now);
        _server.LowerUp(_now);
        _client.LowerUp(_now);
        Pump();
        _server.Close("drain", _now);
        Pump();
        Assert.True(_server.IsTerminated);
        Assert.Equal("terminated drain", _serverEvents.Log[^1]);
        Assert.Contains("network-down", _clientEvents.Log);
        _now += 3000;
        _client.OnTimer(_now);
        Assert.True(_client.IsTerminated);
    }

    [Property(MaxTest = 300)]
    public bool Arbitrary_frames_never_throw(byte[][] frames, bool openFirst)
    {
        var h = new ServerHarness(new PppOptions { AuthMethods = [AuthMethod.MsChapV2], Ipv6Enabled = true });
        if (openFirst)
        {
            h.OpenIpcp();
        }
        else
        {
            h.Start();
        }

        foreach (byte[]? body in frames ?? [])
        {
            // Half the frames get a valid header for a protocol we handle, so the payload reaches the parsers.
            byte[] frame = body ?? [];
            if (frame.Length > 0 && frame[0] % 2 == 0)
            {
                ushort protocol = Protocols[frame[0] / 2 % Protocols.Length];
                byte[] framed = new byte[4 + frame.Length - 1];
                PppFrame.WriteHeader(framed, protocol);
                frame.AsSpan(1).CopyTo(framed.AsSpan(4));
                frame = framed;
            }

            PppReceiveResult result = h.Send(frame);
            if (result.Kind is PppReceiveKind.IPv4 or PppReceiveKind.IPv6
                && (result.Offset < 1 || result.Offset + result.Length != frame.Length))
            {
                return false;
            }

            h.Now += 1000;
            h.Server.OnTimer(h.Now);
        }

        return h.Sink.Frames.TrueForAll(f => f.Length <= PppFrame.MaxFrameLength);
    }

    [Property(MaxTest = 200)]
    public bool Arbitrary_control_packets_never_throw(byte code, byte identifier, byte[] options, bool ipcp)
    {
        var h = new ServerHarness();
        h.OpenIpcp();
        options ??= [];
        byte[] frame = new byte[8 + options.Length];
        PppFrame.WriteHeader(frame, ipcp ? PppProtocol.Ipcp : PppProtocol.Lcp);
        CpPacket.Write(frame.AsSpan(4), code, identifier, options);
        h.Send(frame);
        return true;
    }

    private void Build(PppOptions serverOptions, string user, AuthMethod[] clientMethods, bool ipv6 = false)
    {
        _server = new PppServer(serverOptions, new FakeServerAuthenticatorFactory("alice"), _serverSink, _serverEvents,
            NullLogger.Instance, new Random(7));
        _client = new PppClient(new PppClientOptions { Ipv6Enabled = ipv6 }, new FakeClientAuthenticatorFactory(user, clientMethods),
            _clientSink, _clientEvents, NullLogger.Instance, new Random(8));
    }

    private void Pump()
    {
        for (int guard = 0; guard < 1000 && (_toClient.Count > 0 || _toServer.Count > 0); guard++)
        {
            if (_toServer.TryDequeue(out byte[]? up))
            {
                PppReceiveResult r = _server.Receive(up, _now);
                if (r.Kind == PppReceiveKind.IPv4)
                {
                    _serverIPv4.Add(up.AsSpan(r.Offset, r.Length).ToArray());
                }
            }

            if (_toClient.TryDequeue(out byte[]? down))
            {
                PppReceiveResult r = _client.Receive(down, _now);
                if (r.Kind == PppReceiveKind.IPv4)
                {
                    _clientIPv4.Add(down.AsSpan(r.Offset, r.Length).ToArray());
                }
                else if (r.Kind == PppReceiveKind.IPv6)
                {
                    _clientIPv6.Add(down.AsSpan(r.Offset, r.Length).ToArray());
                }
            }
        }
    }
}

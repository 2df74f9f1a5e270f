using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using Gateway.Credentials;
using Gateway.Ppp;
using Gateway.Ppp.Auth;
using Gateway.Sstp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Sessions;

/// <summary>Which end sent a packet.</summary>
internal enum CallSide
{
    Client,
    Server,
}

/// <summary>One SSTP packet as written by <paramref name="From"/> at <paramref name="AtMs"/>; dropped when that direction was cut.</summary>
internal sealed record WirePacket(CallSide From, long AtMs, byte[] Bytes, bool Dropped)
{
    public bool IsControl => (Bytes[1] & SstpConstants.ControlBit) != 0;

    /// <summary>The control message type, or null for a data packet.</summary>
    public SstpMessageType? MessageType => IsControl ? (SstpMessageType)((Bytes[4] << 8) | Bytes[5]) : null;

    /// <summary>For a data packet: the PPP protocol and information field of the frame it carries.</summary>
    public bool TryGetPpp(out ushort protocol, out byte[] information)
    {
        information = [];
        protocol = 0;
        if (IsControl || PppFrame.TryParse(Bytes.AsSpan(SstpConstants.HeaderLength), out protocol, out int offset) != PppFrameStatus.Ok)
        {
            return false;
        }

        information = Bytes.AsSpan(SstpConstants.HeaderLength + offset).ToArray();
        return true;
    }

    public override string ToString() =>
        $"{AtMs,6} {From,-6} {(Dropped ? "(dropped) " : "")}{(IsControl ? MessageType.ToString() : Ppp())}";

    private string Ppp() => TryGetPpp(out ushort protocol, out byte[] info)
        ? $"PPP {protocol:X4} code {(info.Length > 0 ? info[0] : -1)} ({info.Length} bytes)"
        : "data";
}

/// <summary>Settings of one <see cref="InMemoryCall"/>; the defaults give a call that connects.</summary>
internal sealed class InMemoryCallOptions
{
    public AuthMethod Method { get; init; } = AuthMethod.MsChapV2;

    /// <summary>What the client types.</summary>
    public string UserName { get; init; } = InMemoryCall.User;

    public string Password { get; init; } = InMemoryCall.Password;

    public SstpOptions ServerSstp { get; init; } = new();

    public SstpClientOptions ClientSstp { get; init; } = new();

    public PppClientOptions ClientPpp { get; init; } = new();

    /// <summary>Server PPP settings; <see cref="PppOptions.AuthMethods"/> and DNS are filled in when left empty.</summary>
    public PppOptions ServerPpp { get; init; } = new();

    /// <summary>The certificate the client believes it saw in TLS (default: the server's).</summary>
    public byte[] ClientCertificate { get; init; } = InMemoryCall.Certificate;

    /// <summary>Size of the next chunk of the byte stream handed to the receiver; null delivers whatever is in flight at once.</summary>
    public Func<int>? ChunkSize { get; init; }

    public int Seed { get; init; } = 1;
}

/// <summary>
/// A whole SSTP call in memory: server = <see cref="SstpServerSession"/> + <see cref="PppServer"/> + the local
/// credential store; client = <see cref="SstpClientSession"/> + <see cref="PppClient"/>. Bytes move between the two
/// output buffers as a byte stream that the receiver splits with <see cref="SstpFrameReader"/>; PPP events are recorded
/// during an engine call and applied right after it, like <c>GatewaySession</c>/<c>SstpPump</c> do. Time is
/// <see cref="Now"/> and only moves through <see cref="Advance"/>.
/// </summary>
internal sealed class InMemoryCall : IPppServerEvents, IPppClientEvents
{
    public const string User = "alice";
    public const string Password = "correct horse";

    /// <summary>DER stand-in: only its hashes matter to SSTP.</summary>
    public static readonly byte[] Certificate = "fake DER certificate of the gateway"u8.ToArray();

    public static readonly IPAddress ClientAddress = IPAddress.Parse("10.0.0.2");
    public static readonly IPAddress GatewayAddress = IPAddress.Parse("10.0.0.1");
    public static readonly IPAddress Dns1 = IPAddress.Parse("10.0.0.53");
    public static readonly IPAddress Dns2 = IPAddress.Parse("10.0.0.54");

    private readonly InMemoryCallOptions _options;
    private readonly Func<int>? _chunkSize;
    private readonly List<byte> _toServer = [];
    private readonly List<byte> _toClient = [];
    private byte[] _serverPartial = [];
    private byte[] _clientPartial = [];
    private byte[]? _pendingServerHlak;
    private bool _pendingAddress;
    private byte[]? _pendingClientHlak;
    private byte[]? _heldServerHlak;
    private bool _addressHeld;

    public InMemoryCall(InMemoryCallOptions? options = null)
    {
        _options = options ?? new InMemoryCallOptions();
        _chunkSize = _options.ChunkSize;
        ServerOptions = _options.ServerSstp;
        if (_options.ServerPpp.AuthMethods.Count == 0)
        {
            _options.ServerPpp.AuthMethods = [_options.Method];
        }

        if (_options.ServerPpp.DnsServers.Count == 0)
        {
            _options.ServerPpp.DnsServers = [Dns1.ToString(), Dns2.ToString()];
        }

        Store = new LocalCredentialStore();
        Store.Add(User, Password, storeClearTextForChapMd5: true);
        Store.Add("bob", "bob's secret", storeClearTextForChapMd5: true);

        var serverRandom = new Random(_options.Seed);
        var clientRandom = new Random(_options.Seed + 1000);
        var authRandom = new Random(_options.Seed + 2000);
        ILogger logger = NullLogger.Instance;

        var authenticators = new ServerAuthenticatorFactory(Store, Options.Create(new PppAuthOptions()), random: span => authRandom.NextBytes(span));
        Server = new SstpServerSession(ServerOptions, SHA1.HashData(Certificate), SHA256.HashData(Certificate), ServerOutput, logger,
            () => { byte[] nonce = new byte[SstpConstants.NonceLength]; serverRandom.NextBytes(nonce); return nonce; });
        ServerPpp = new PppServer(_options.ServerPpp, authenticators, Server, this, logger, serverRandom);
        Server.AttachPpp(ServerPpp);

        Client = new SstpClientSession(_options.ClientSstp, SHA1.HashData(_options.ClientCertificate), SHA256.HashData(_options.ClientCertificate),
            ClientOutput, logger);
        var clientAuthenticators = new TestClientAuthenticators(new ClientAuthenticatorFactory(_options.UserName, _options.Password, span => clientRandom.NextBytes(span)));
        ClientPpp = new PppClient(_options.ClientPpp, clientAuthenticators, Client, this, logger, clientRandom);
        Client.AttachPpp(ClientPpp);
    }

    public long Now { get; private set; }

    public LocalCredentialStore Store { get; }

    public SstpOptions ServerOptions { get; }

    public SstpServerSession Server { get; }

    public PppServer ServerPpp { get; }

    public SstpClientSession Client { get; }

    public PppClient ClientPpp { get; }

    public ArrayBufferWriter<byte> ServerOutput { get; } = new();

    public ArrayBufferWriter<byte> ClientOutput { get; } = new();

    /// <summary>Every packet either side wrote, in order.</summary>
    public List<WirePacket> Wire { get; } = [];

    /// <summary>IP packets the server's Receive returned (uplink).</summary>
    public List<(SstpInputKind Kind, byte[] Packet)> ServerReceivedIp { get; } = [];

    /// <summary>IP packets the client's Receive returned (downlink).</summary>
    public List<(SstpInputKind Kind, byte[] Packet)> ClientReceivedIp { get; } = [];

    /// <summary>Drop everything the client writes from now on.</summary>
    public bool BlockClientToServer { get; set; }

    /// <summary>Drop everything the server writes from now on.</summary>
    public bool BlockServerToClient { get; set; }

    /// <summary>Drops single packets (true = lost) on top of the two Block switches.</summary>
    public Func<WirePacket, bool>? DropFilter { get; set; }

    /// <summary>Replaces the HLAK the client's SSTP gets (a client that binds with the wrong key).</summary>
    public Func<byte[], byte[]>? ClientHlakOverride { get; set; }

    /// <summary>Do not answer OnAddressRequired until <see cref="ReleaseAddress"/> (an address lease that takes time).</summary>
    public bool HoldAddress { get; set; }

    /// <summary>Keep the server's HLAK from <see cref="SstpServerSession.OnHigherLayerAuthenticated"/> until <see cref="ReleaseServerHlak"/>.</summary>
    public bool HoldServerHlak { get; set; }

    public byte[]? ServerHlak { get; private set; }

    public string? ServerAuthenticatedUser { get; private set; }

    public string? ServerAuthFailure { get; private set; }

    public IPAddress? ServerNetworkUp { get; private set; }

    public (ulong Local, ulong Peer)? ServerIpv6Up { get; private set; }

    public (ulong Local, ulong Peer)? ClientIpv6Up { get; private set; }

    public string? ServerLinkTerminated { get; private set; }

    public byte[]? ClientHlak { get; private set; }

    public string? ClientAuthFailure { get; private set; }

    public (IPAddress Address, IPAddress? Gateway, IPAddress? Dns1, IPAddress? Dns2)? ClientNetworkUp { get; private set; }

    public string? ClientLinkTerminated { get; private set; }

    public long? ServerClosedAt { get; private set; }

    /// <summary>Packets the receiver had to put together from more than one chunk of the stream.</summary>
    public int ReassembledPackets { get; private set; }

    public long? ClientClosedAt { get; private set; }

    public IEnumerable<WirePacket> From(CallSide side) => Wire.Where(p => p.From == side);

    public IEnumerable<WirePacket> Controls(CallSide side, SstpMessageType type) => From(side).Where(p => p.MessageType == type);

    /// <summary>Starts both sides (server first, as after the HTTP 200) and delivers until quiet.</summary>
    public void Start()
    {
        StartServer();
        StartClient();
    }

    public void StartServer()
    {
        Server.Start(Now);
        AfterServerCall();
        Deliver();
    }

    public void StartClient()
    {
        Client.Start(Now);
        AfterClientCall();
        Deliver();
    }

    /// <summary>Starts and asserts the call is up on both sides, with IPCP done.</summary>
    public void Connect()
    {
        Start();
        Assert.Equal(SstpState.CallConnected, Server.State);
        Assert.Equal(SstpState.CallConnected, Client.State);
        Assert.NotNull(ClientNetworkUp);
        Assert.NotNull(ServerNetworkUp);
    }

    public void ReleaseServerHlak()
    {
        byte[] hlak = _heldServerHlak ?? throw new InvalidOperationException("no HLAK held");
        _heldServerHlak = null;
        HoldServerHlak = false;
        Server.OnHigherLayerAuthenticated(hlak, Now);
        AfterServerCall();
        Deliver();
    }

    public void ReleaseAddress()
    {
        Assert.True(_addressHeld, "no address request held");
        _addressHeld = false;
        HoldAddress = false;
        _pendingAddress = true;
        AfterServerCall();
        Deliver();
    }

    public void ServerDisconnect(string reason)
    {
        Server.Disconnect(reason, Now);
        AfterServerCall();
        Deliver();
    }

    public void ClientDisconnect(string reason)
    {
        Client.Disconnect(reason, Now);
        AfterClientCall();
        Deliver();
    }

    /// <summary>Client TUN -> server: frames the packet with <see cref="PppEndpoint.SendIPv4"/> (or SendIPv6).</summary>
    public bool SendFromClient(byte[] ipPacket)
    {
        bool sent = IsIPv6(ipPacket) ? ClientPpp.SendIPv6(ipPacket) : ClientPpp.SendIPv4(ipPacket);
        Deliver();
        return sent;
    }

    /// <summary>Server -> client through <see cref="PppEndpoint.SendIPv4"/> (or SendIPv6).</summary>
    public bool SendFromServer(byte[] ipPacket)
    {
        bool sent = IsIPv6(ipPacket) ? ServerPpp.SendIPv6(ipPacket) : ServerPpp.SendIPv4(ipPacket);
        Deliver();
        return sent;
    }

    /// <summary>Server -> client the way the pump's write loop does it: 8-byte prefix, then the IP packet.</summary>
    public bool SendFromServerFastPath(byte[] ipPacket)
    {
        Span<byte> span = ServerOutput.GetSpan(ipPacket.Length + SstpFrameWriter.DataPrefixLength);
        ushort protocol = IsIPv6(ipPacket) ? PppProtocol.IPv6 : PppProtocol.IPv4;
        int prefix = Server.WriteDataPacketHeader(span, protocol, ipPacket.Length);
        if (prefix == 0)
        {
            return false;
        }

        Assert.Equal(SstpFrameWriter.DataPrefixLength, SstpFrameWriter.WriteDataPrefix(span, protocol, ipPacket.Length));
        ipPacket.CopyTo(span[prefix..]);
        ServerOutput.Advance(prefix + ipPacket.Length);
        Deliver();
        return true;
    }

    /// <summary>Moves time forward by <paramref name="ms"/>, running each side's timers exactly at their deadlines.</summary>
    public void Advance(long ms) => AdvanceTo(Now + ms);

    public void AdvanceTo(long target)
    {
        for (int i = 0; i < 100_000; i++)
        {
            long next = Math.Min(Server.NextDeadlineMs, Client.NextDeadlineMs);
            if (next > target)
            {
                Now = target;
                return;
            }

            Now = Math.Max(Now, next);
            if (Now >= Server.NextDeadlineMs)
            {
                Server.OnTimer(Now);
                AfterServerCall();
            }

            if (Now >= Client.NextDeadlineMs)
            {
                Client.OnTimer(Now);
                AfterClientCall();
            }

            Deliver();
        }

        throw new InvalidOperationException("timers do not advance");
    }

    /// <summary>Moves bytes both ways until neither side has anything to send.</summary>
    public void Deliver()
    {
        for (int round = 0; round < 1_000_000; round++)
        {
            bool progress = Flush(CallSide.Client, ClientOutput, _toServer, BlockClientToServer);
            progress |= Flush(CallSide.Server, ServerOutput, _toClient, BlockServerToClient);
            progress |= DeliverChunk(_toServer, ref _serverPartial, CallSide.Server);
            progress |= DeliverChunk(_toClient, ref _clientPartial, CallSide.Client);
            if (!progress)
            {
                Assert.True(_serverPartial.Length == 0 && _clientPartial.Length == 0, "a partial packet was left over");
                return;
            }
        }

        throw new InvalidOperationException("the sides never stop talking");
    }

    private static bool IsIPv6(byte[] ipPacket) => ipPacket.Length > 0 && (ipPacket[0] >> 4) == 6;

    private bool Flush(CallSide from, ArrayBufferWriter<byte> output, List<byte> inFlight, bool blocked)
    {
        if (output.WrittenCount == 0)
        {
            return false;
        }

        byte[] bytes = output.WrittenSpan.ToArray();
        output.Clear();

        // Engines write whole packets: record them one by one.
        ReadOnlySpan<byte> rest = bytes;
        while (rest.Length > 0)
        {
            Assert.Equal(SstpReadStatus.Packet, SstpFrameReader.TryReadPacket(rest, out int length, out _));
            byte[] packet = rest[..length].ToArray();
            // A side that was never started is not connected yet: what is sent to it is lost.
            SstpSession receiver = from == CallSide.Client ? Server : Client;
            bool dropped = blocked || receiver.State == SstpState.Idle || DropFilter?.Invoke(new WirePacket(from, Now, packet, false)) == true;
            Wire.Add(new WirePacket(from, Now, packet, dropped));
            if (!dropped)
            {
                inFlight.AddRange(packet);
            }

            rest = rest[length..];
        }

        return true;
    }

    /// <summary>Hands the receiver the next chunk of the stream and feeds it every packet now complete.</summary>
    private bool DeliverChunk(List<byte> inFlight, ref byte[] partial, CallSide to)
    {
        if (inFlight.Count == 0)
        {
            return false;
        }

        int n = _chunkSize is null ? inFlight.Count : Math.Clamp(_chunkSize(), 1, inFlight.Count);
        byte[] chunk = inFlight.GetRange(0, n).ToArray();
        inFlight.RemoveRange(0, n);

        // The reassembly buffer is a two-segment sequence when a packet straddles chunks.
        ReadOnlySequence<byte> buffer = ChunkSequence.Create(partial, chunk);
        while (true)
        {
            SstpReadStatus status = SstpFrameReader.TryReadPacket(ref buffer, out ReadOnlySequence<byte> packet, out SstpParseError error);
            if (status == SstpReadStatus.NeedMoreData)
            {
                break;
            }

            Assert.True(status == SstpReadStatus.Packet, "framing error in the stream: " + error);
            if (!packet.IsSingleSegment)
            {
                ReassembledPackets++;
            }

            ReceivePacket(to, packet.ToArray());
        }

        partial = buffer.ToArray();
        return true;
    }

    private void ReceivePacket(CallSide to, byte[] packet)
    {
        if (to == CallSide.Server)
        {
            SstpInput input = Server.Receive(packet, Now);
            if (input.Kind is SstpInputKind.IPv4 or SstpInputKind.IPv6)
            {
                ServerReceivedIp.Add((input.Kind, packet.AsSpan(input.Offset, input.Length).ToArray()));
            }

            AfterServerCall();
        }
        else
        {
            SstpInput input = Client.Receive(packet, Now);
            if (input.Kind is SstpInputKind.IPv4 or SstpInputKind.IPv6)
            {
                ClientReceivedIp.Add((input.Kind, packet.AsSpan(input.Offset, input.Length).ToArray()));
            }

            AfterClientCall();
        }
    }

    /// <summary>What GatewaySession.AfterEngineCall does: HLAK to SSTP, then the address to PPP.</summary>
    private void AfterServerCall()
    {
        while (true)
        {
            if (_pendingServerHlak is { } hlak)
            {
                _pendingServerHlak = null;
                if (HoldServerHlak)
                {
                    _heldServerHlak = hlak;
                }
                else
                {
                    Server.OnHigherLayerAuthenticated(hlak, Now);
                }

                continue;
            }

            if (_pendingAddress && HoldAddress)
            {
                _pendingAddress = false;
                _addressHeld = true;
            }

            if (_pendingAddress)
            {
                _pendingAddress = false;
                ServerPpp.SetAddresses(new PppAddressAssignment(ClientAddress, GatewayAddress), Now);
                continue;
            }

            break;
        }

        if (Server.IsClosed)
        {
            ServerClosedAt ??= Now;
        }
    }

    private void AfterClientCall()
    {
        if (_pendingClientHlak is { } hlak)
        {
            _pendingClientHlak = null;
            Client.OnHigherLayerAuthenticated(ClientHlakOverride?.Invoke(hlak) ?? hlak, Now);
        }

        if (Client.IsClosed)
        {
            ClientClosedAt ??= Now;
        }
    }

    void IPppServerEvents.OnAuthenticated(string userName, byte[] hlak)
    {
        ServerAuthenticatedUser = userName;
        ServerHlak = hlak.ToArray();
        _pendingServerHlak = hlak;
    }

    void IPppServerEvents.OnAuthenticationFailed(string? userName, string reason) => ServerAuthFailure = reason;

    void IPppServerEvents.OnAddressRequired(string userName) => _pendingAddress = true;

    void IPppServerEvents.OnNetworkUp(IPAddress clientAddress) => ServerNetworkUp = clientAddress;

    void IPppServerEvents.OnNetworkDown()
    {
    }

    void IPppServerEvents.OnIpv6Up(ulong localInterfaceId, ulong peerInterfaceId) => ServerIpv6Up = (localInterfaceId, peerInterfaceId);

    void IPppServerEvents.OnIpv6Down()
    {
    }

    void IPppServerEvents.OnLinkTerminated(string reason) => ServerLinkTerminated = reason;

    void IPppClientEvents.OnAuthenticated(byte[] hlak)
    {
        ClientHlak = hlak.ToArray();
        _pendingClientHlak = hlak;
    }

    void IPppClientEvents.OnAuthenticationFailed(string reason) => ClientAuthFailure = reason;

    void IPppClientEvents.OnNetworkUp(IPAddress address, IPAddress? gateway, IPAddress? primaryDns, IPAddress? secondaryDns) =>
        ClientNetworkUp = (address, gateway, primaryDns, secondaryDns);

    void IPppClientEvents.OnNetworkDown()
    {
    }

    void IPppClientEvents.OnIpv6Up(ulong localInterfaceId, ulong peerInterfaceId) => ClientIpv6Up = (localInterfaceId, peerInterfaceId);

    void IPppClientEvents.OnIpv6Down()
    {
    }

    void IPppClientEvents.OnLinkTerminated(string reason) => ClientLinkTerminated = reason;

    /// <summary>The shape of the client's <c>ClientAuthenticators</c>: every method, MS-CHAPv2 first.</summary>
    private sealed class TestClientAuthenticators(ClientAuthenticatorFactory factory) : IClientAuthenticatorFactory
    {
        public IReadOnlyList<AuthMethod> Methods { get; } = [AuthMethod.MsChapV2, AuthMethod.EapMsChapV2, AuthMethod.ChapMd5, AuthMethod.Pap];

        public IClientAuthenticator Create(AuthMethod method) =>
            factory.Create(method) ?? throw new ArgumentOutOfRangeException(nameof(method), method, "unsupported method");
    }

    /// <summary>A sequence over the unread rest of earlier chunks followed by the new chunk.</summary>
    private static class ChunkSequence
    {
        public static ReadOnlySequence<byte> Create(byte[] first, byte[] second)
        {
            if (first.Length == 0)
            {
                return new ReadOnlySequence<byte>(second);
            }

            var head = new Segment(first, 0);
            var tail = new Segment(second, first.Length);
            head.SetNext(tail);
            return new ReadOnlySequence<byte>(head, 0, tail, second.Length);
        }

        private sealed class Segment : ReadOnlySequenceSegment<byte>
        {
            public Segment(byte[] memory, long runningIndex)
            {
                Memory = memory;
                RunningIndex = runningIndex;
            }

            public void SetNext(Segment next) => Next = next;
        }
    }
}

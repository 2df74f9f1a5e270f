using System.Net;
using Gateway.Ppp;
using Gateway.Ppp.Auth;
using Microsoft.Extensions.Logging.Abstractions;

namespace Benchmarks.Micro;

/// <summary>
/// A <see cref="PppServer"/> driven to LCP and IPCP Opened with hand-written client frames, the same sequence as
/// tests/Gateway.Tests/Ppp/ServerHarness (authentication by a trivial accept-all authenticator: the data path after
/// authentication does not depend on the method).
/// </summary>
public sealed class OpenedPppServer
{
    public OpenedPppServer()
    {
        var options = new PppOptions { AuthMethods = [AuthMethod.MsChapV2, AuthMethod.EapMsChapV2] };
        Server = new PppServer(options, new AcceptAllFactory(), Sink, new NoEvents(), NullLogger.Instance, new Random(1234));
        Server.LowerUp(0);
        byte[] request = Sink.Take();
        byte[] ack = (byte[])request.Clone();
        ack[4] = CpCode.ConfigureAck;
        Server.Receive(ack, 0);
        Server.Receive(Convert.FromHexString("FF03C0210101000E010405DC050612345678"), 0);
        Expect(Server.LcpState == NegotiationState.Opened, "LCP Opened");
        Server.Receive(Convert.FromHexString("FF03C02301070009616C696365"), 0);
        Expect(Server.Phase == PppPhase.Network, "network phase");
        Server.SetAddresses(new PppAddressAssignment(IPAddress.Parse("10.0.0.2"), IPAddress.Parse("10.0.0.1"),
            IPAddress.Parse("8.8.8.8"), IPAddress.Parse("8.8.4.4"), ClientInterfaceId: 2, GatewayInterfaceId: 1), 0);
        Server.Receive(Convert.FromHexString("FF0380210201000A03060A000001"), 0);
        Server.Receive(Convert.FromHexString("FF0380210105000A03060A000002"), 0);
        Expect(Server.IpcpState == NegotiationState.Opened, "IPCP Opened");
        Sink.CountOnly = true;
    }

    public PppServer Server { get; }

    public CountingSink Sink { get; } = new();

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("PPP setup did not reach " + what);
        }
    }

    /// <summary>Keeps the last control frame during setup; only counts data frames afterwards.</summary>
    public sealed class CountingSink : IPppFrameSink
    {
        private byte[]? _last;

        public bool CountOnly { get; set; }

        public long Count { get; private set; }

        public void SendFrame(ReadOnlySpan<byte> frame)
        {
            Count++;
            if (!CountOnly)
            {
                _last = frame.ToArray();
            }
        }

        public byte[] Take() => _last ?? throw new InvalidOperationException("no frame sent");
    }

    private sealed class AcceptAll : IServerAuthenticator
    {
        private static readonly byte[] Key = new byte[32];

        public ushort Protocol => PppProtocol.Pap;

        public long NextDeadlineMs => long.MaxValue;

        public AuthStatus Status { get; private set; }

        public string? UserName => Status == AuthStatus.Succeeded ? "bench" : null;

        public ReadOnlySpan<byte> Hlak => Status == AuthStatus.Succeeded ? Key : [];

        public string? FailureReason => null;

        public void Start(IAuthOutput output, long nowMs)
        {
        }

        public AuthStatus Receive(ReadOnlySpan<byte> packet, IAuthOutput output, long nowMs)
        {
            Status = AuthStatus.Succeeded;
            output.Send(PppProtocol.Pap, [2, packet[1], 0, 4]);
            return Status;
        }

        public AuthStatus OnTimer(long nowMs, IAuthOutput output) => Status;
    }

    private sealed class AcceptAllFactory : IServerAuthenticatorFactory
    {
        public IServerAuthenticator Create(AuthMethod method) => new AcceptAll();
    }

    private sealed class NoEvents : IPppServerEvents
    {
        public void OnAuthenticated(string userName, byte[] hlak)
        {
        }

        public void OnAuthenticationFailed(string? userName, string reason)
        {
        }

        public void OnAddressRequired(string userName)
        {
        }

        public void OnNetworkUp(IPAddress clientAddress)
        {
        }

        public void OnNetworkDown()
        {
        }

        public void OnIpv6Up(ulong localInterfaceId, ulong peerInterfaceId)
        {
        }

        public void OnIpv6Down()
        {
        }

        public void OnLinkTerminated(string reason)
        {
        }
    }
}

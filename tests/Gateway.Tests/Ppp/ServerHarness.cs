using System.Net;
using Gateway.Ppp;
using Gateway.Ppp.Auth;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Ppp;

/// <summary>Drives a <see cref="PppServer"/> with hand-written client frames.</summary>
internal sealed class ServerHarness
{
    public static readonly PppAddressAssignment Assignment = new(
        IPAddress.Parse("10.0.0.2"), IPAddress.Parse("10.0.0.1"), IPAddress.Parse("8.8.8.8"), IPAddress.Parse("8.8.4.4"),
        ClientInterfaceId: 2, GatewayInterfaceId: 1);

    public ServerHarness(PppOptions? options = null)
    {
        Options = options ?? new PppOptions { AuthMethods = [AuthMethod.MsChapV2, AuthMethod.EapMsChapV2] };
        Server = new PppServer(Options, Authenticators, Sink, Events, NullLogger.Instance, new Random(1234));
    }

    public PppOptions Options { get; }

    public RecordingSink Sink { get; } = new();

    public RecordingServerEvents Events { get; } = new();

    public FakeServerAuthenticatorFactory Authenticators { get; } = new("alice");

    public PppServer Server { get; }

    public long Now { get; set; }

    public PppReceiveResult Send(string hex) => Server.Receive(Hex.Parse(hex), Now);

    public PppReceiveResult Send(byte[] frame) => Server.Receive(frame, Now);

    /// <summary>LowerUp; returns the server's first LCP Configure-Request frame.</summary>
    public byte[] Start()
    {
        Server.LowerUp(Now);
        return Sink.Take().Single();
    }

    /// <summary>Brings LCP to Opened with a client MRU of <paramref name="clientMru"/>; returns the server's magic.</summary>
    public uint OpenLcp(int clientMru = 1500)
    {
        byte[] request = Start();
        byte[] ack = (byte[])request.Clone();
        ack[4] = CpCode.ConfigureAck;
        Send(ack);
        Send($"FF 03 C0 21 01 01 00 0E 01 04 {clientMru:X4} 05 06 12 34 56 78");
        Assert.Equal(NegotiationState.Opened, Server.LcpState);
        Sink.Take();
        // The magic number follows MRU (01 04 xx xx) in our request: frame offset 4 + 4 + 4 + 2.
        return (uint)((request[14] << 24) | (request[15] << 16) | (request[16] << 8) | request[17]);
    }

    /// <summary>LCP Opened and the fake authentication done for "alice".</summary>
    public void Authenticate(int clientMru = 1500)
    {
        OpenLcp(clientMru);
        Send("FF 03 C0 23 01 07 00 09 61 6C 69 63 65");
        Assert.Equal("FF 03 C0 23 02 07 00 04", Hex.Of(Sink.Take().Single()));
        Assert.Equal(PppPhase.Network, Server.Phase);
    }

    /// <summary>Authenticated, addresses assigned, IPCP Opened with 10.0.0.2.</summary>
    public void OpenIpcp()
    {
        Authenticate();
        CompleteIpcp();
    }

    /// <summary>After <see cref="Authenticate"/>: addresses assigned and IPCP Opened.</summary>
    public void CompleteIpcp()
    {
        Server.SetAddresses(Assignment, Now);
        Assert.Equal("FF 03 80 21 01 01 00 0A 03 06 0A 00 00 01", Hex.Of(Sink.Take()[0]));
        Send("FF 03 80 21 02 01 00 0A 03 06 0A 00 00 01");
        Send("FF 03 80 21 01 05 00 0A 03 06 0A 00 00 02");
        Assert.Equal("FF 03 80 21 02 05 00 0A 03 06 0A 00 00 02", Hex.Of(Sink.Take().Single()));
        Assert.Equal(NegotiationState.Opened, Server.IpcpState);
    }
}

using Gateway.Credentials;
using Gateway.Ppp.Auth;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Ppp.Auth;

/// <summary>Builds authenticators over an in-memory store and pumps packets between server and client.</summary>
internal static class AuthHarness
{
    public static readonly byte[] RfcAuthenticatorChallenge = Convert.FromHexString("5B5D7C7D7B3F2F3E3C2C602132262628");
    public static readonly byte[] RfcPeerChallenge = Convert.FromHexString("21402324255E262A28295F2B3A337C7E");

    public static LocalCredentialStore Store(params UserCredential[] users) => new(users);

    public static ServerAuthenticatorFactory ServerFactory(ICredentialStore store, QueueRandom? random = null, PppAuthOptions? options = null) =>
        new(store, Options.Create(options ?? new PppAuthOptions { ServerName = "gw" }), logger: null, random: (random ?? new QueueRandom()).Fill);

    /// <summary>Starts both sides and delivers packets until neither has anything left to send.</summary>
    public static (RecordingAuthOutput ServerOut, RecordingAuthOutput ClientOut) Run(
        IServerAuthenticator server, IClientAuthenticator client, long nowMs = 0)
    {
        var serverOut = new RecordingAuthOutput();
        var clientOut = new RecordingAuthOutput();
        server.Start(serverOut, nowMs);
        client.Start(clientOut, nowMs);
        Pump(server, serverOut, client, clientOut, nowMs);
        return (serverOut, clientOut);
    }

    public static void Pump(IServerAuthenticator server, RecordingAuthOutput serverOut, IClientAuthenticator client, RecordingAuthOutput clientOut, long nowMs)
    {
        for (int round = 0; round < 50; round++)
        {
            var toClient = serverOut.Drain();
            var toServer = clientOut.Drain();
            if (toClient.Count == 0 && toServer.Count == 0)
            {
                return;
            }

            foreach (var (protocol, packet) in toClient)
            {
                Assert.Equal(client.Protocol, protocol);
                client.Receive(packet, clientOut, nowMs);
            }

            foreach (var (protocol, packet) in toServer)
            {
                Assert.Equal(server.Protocol, protocol);
                server.Receive(packet, serverOut, nowMs);
            }
        }

        Assert.Fail("the exchange did not settle within 50 rounds");
    }
}

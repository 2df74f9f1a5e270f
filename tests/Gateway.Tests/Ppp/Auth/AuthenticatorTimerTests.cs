using Gateway.Credentials;
using Gateway.Ppp.Auth;

namespace Gateway.Tests.Ppp.Auth;

/// <summary>Restart timers, retransmission and timeouts with a fake clock (time passed in as milliseconds).</summary>
public sealed class AuthenticatorTimerTests
{
    private static LocalCredentialStore Store() =>
        AuthHarness.Store(new UserCredential("User", NtHash.FromPassword("clientPass"), "clientPass"));

    [Theory]
    [InlineData(AuthMethod.ChapMd5)]
    [InlineData(AuthMethod.MsChapV2)]
    [InlineData(AuthMethod.EapMsChapV2)]
    public void Request_IsRetransmittedEvery3s_AndGivesUpAfter10(AuthMethod method)
    {
        var options = new PppAuthOptions { ServerName = "gw", TimeoutMs = 120_000 };
        IServerAuthenticator server = AuthHarness.ServerFactory(Store(), options: options).Create(method);
        var output = new RecordingAuthOutput();
        server.Start(output, 1000);
        byte[] first = output.Last;
        Assert.Equal(4000, server.NextDeadlineMs);

        Assert.Equal(AuthStatus.Pending, server.OnTimer(3999, output));
        Assert.Single(output.Sent);

        long now = 4000;
        for (int transmission = 2; transmission <= 10; transmission++)
        {
            Assert.Equal(now, server.NextDeadlineMs);
            Assert.Equal(AuthStatus.Pending, server.OnTimer(now, output));
            Assert.Equal(transmission, output.Sent.Count);
            Assert.Equal(first, output.Last); // identical packet: same Identifier and challenge
            now += 3000;
        }

        Assert.Equal(AuthStatus.Failed, server.OnTimer(now, output));
        Assert.Equal(10, output.Sent.Count - (method == AuthMethod.EapMsChapV2 ? 1 : 0));
        Assert.Equal("no answer from the peer after 10 transmissions", method == AuthMethod.EapMsChapV2
            ? server.FailureReason!["no Response/Identity: ".Length..]
            : server.FailureReason);
        Assert.Equal(long.MaxValue, server.NextDeadlineMs);
    }

    [Fact]
    public void Eap_GivingUp_SendsEapFailure()
    {
        var options = new PppAuthOptions { TimeoutMs = 120_000 };
        IServerAuthenticator server = AuthHarness.ServerFactory(Store(), new QueueRandom([0x10]), options).Create(AuthMethod.EapMsChapV2);
        var output = new RecordingAuthOutput();
        server.Start(output, 0);
        for (long now = 3000; server.Status == AuthStatus.Pending; now += 3000)
        {
            server.OnTimer(now, output);
        }

        Assert.Equal("04100004", Convert.ToHexString(output.Last));
        Assert.Equal("no Response/Identity: no answer from the peer after 10 transmissions", server.FailureReason);
    }

    [Fact]
    public void Pap_WaitsForTheRequest_UntilTheOverallTimeout()
    {
        IServerAuthenticator server = AuthHarness.ServerFactory(Store()).Create(AuthMethod.Pap);
        var output = new RecordingAuthOutput();
        server.Start(output, 500);

        Assert.Empty(output.Sent);
        Assert.Equal(30_500, server.NextDeadlineMs);
        Assert.Equal(AuthStatus.Pending, server.OnTimer(30_499, output));
        Assert.Equal(AuthStatus.Failed, server.OnTimer(30_500, output));
        Assert.Equal("no answer from the peer within 30000 ms", server.FailureReason);
        Assert.Empty(output.Sent);
    }

    [Fact]
    public void OverallTimeout_WinsOverRetransmission()
    {
        var options = new PppAuthOptions { TimeoutMs = 5000 };
        IServerAuthenticator server = AuthHarness.ServerFactory(Store(), options: options).Create(AuthMethod.MsChapV2);
        var output = new RecordingAuthOutput();
        server.Start(output, 0);
        server.OnTimer(3000, output);
        Assert.Equal(5000, server.NextDeadlineMs);
        Assert.Equal(AuthStatus.Failed, server.OnTimer(5000, output));
        Assert.Equal("no answer from the peer within 5000 ms", server.FailureReason);
    }

    [Fact]
    public void PapClient_RetransmitsWithNewIdentifier_AndServerReAcks()
    {
        IServerAuthenticator server = AuthHarness.ServerFactory(Store()).Create(AuthMethod.Pap);
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "clientPass", new QueueRandom([0x50]).Fill).Create(AuthMethod.Pap)!;
        var serverOut = new RecordingAuthOutput();
        var clientOut = new RecordingAuthOutput();
        server.Start(serverOut, 0);
        client.Start(clientOut, 0);

        server.Receive(clientOut.Last, serverOut, 10); // the Ack gets lost
        Assert.Equal(AuthStatus.Succeeded, server.Status);
        Assert.Equal(3000, client.NextDeadlineMs);

        client.OnTimer(3000, clientOut);
        Assert.Equal(2, clientOut.Sent.Count);
        Assert.Equal(0x51, clientOut.Last[1]);

        server.Receive(clientOut.Last, serverOut, 3000);
        Assert.Equal(2, serverOut.Sent.Count);
        Assert.Equal(0x51, serverOut.Last[1]);
        Assert.Equal(2, serverOut.Last[0]);

        Assert.Equal(AuthStatus.Succeeded, client.Receive(serverOut.Last, clientOut, 3001));
    }

    [Fact]
    public void PapClient_GivesUpAfterMaxTransmits()
    {
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "clientPass") { MaxTransmits = 3 }.Create(AuthMethod.Pap)!;
        var output = new RecordingAuthOutput();
        client.Start(output, 0);
        client.OnTimer(3000, output);
        client.OnTimer(6000, output);
        Assert.Equal(3, output.Sent.Count);
        Assert.Equal(AuthStatus.Failed, client.OnTimer(9000, output));
        Assert.Equal("no answer from the server after 3 transmissions", client.FailureReason);
    }

    [Theory]
    [InlineData(AuthMethod.ChapMd5)]
    [InlineData(AuthMethod.MsChapV2)]
    public void Chap_RepeatedResponse_GetsTheSameSuccessAgain(AuthMethod method)
    {
        IServerAuthenticator server = AuthHarness.ServerFactory(Store()).Create(method);
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "clientPass").Create(method)!;
        var (serverOut, clientOut) = AuthHarness.Run(server, client);
        byte[] success = serverOut.Last;

        server.Receive(clientOut.Last, serverOut, 100);

        Assert.Equal(AuthStatus.Succeeded, server.Status);
        Assert.Equal(success, serverOut.Last);
        Assert.Equal(3, serverOut.Sent.Count);
    }

    [Theory]
    [InlineData(AuthMethod.MsChapV2)]
    [InlineData(AuthMethod.EapMsChapV2)]
    public void Client_AnswersARetransmittedRequestWithTheSameResponse(AuthMethod method)
    {
        IServerAuthenticator server = AuthHarness.ServerFactory(Store()).Create(method);
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "clientPass").Create(method)!;
        var serverOut = new RecordingAuthOutput();
        var clientOut = new RecordingAuthOutput();
        server.Start(serverOut, 0);
        client.Start(clientOut, 0);
        if (method == AuthMethod.EapMsChapV2)
        {
            client.Receive(serverOut.Last, clientOut, 0);
            server.Receive(clientOut.Last, serverOut, 0); // now the Challenge is outstanding
        }

        client.Receive(serverOut.Last, clientOut, 0);
        byte[] firstResponse = clientOut.Last;
        server.OnTimer(3000, serverOut); // the Response was "late": the server retransmits
        client.Receive(serverOut.Last, clientOut, 3000);
        Assert.Equal(firstResponse, clientOut.Last);

        serverOut.Drain(); // everything so far was delivered by hand
        clientOut.Drain();
        server.Receive(firstResponse, serverOut, 3001);
        server.Receive(clientOut.Last, serverOut, 3001); // the duplicate must not break the exchange
        AuthHarness.Pump(server, serverOut, client, clientOut, 3002);

        Assert.Equal(AuthStatus.Succeeded, server.Status);
        Assert.Equal(AuthStatus.Succeeded, client.Status);
        Assert.Equal(server.Hlak.ToArray(), client.Hlak.ToArray());
    }

    [Fact]
    public void StaleIdentifier_IsDiscarded()
    {
        IServerAuthenticator server = AuthHarness.ServerFactory(Store(), new QueueRandom([0x20])).Create(AuthMethod.MsChapV2);
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "clientPass").Create(AuthMethod.MsChapV2)!;
        var serverOut = new RecordingAuthOutput();
        var clientOut = new RecordingAuthOutput();
        server.Start(serverOut, 0);
        client.Start(clientOut, 0);
        client.Receive(serverOut.Last, clientOut, 0);
        byte[] response = clientOut.Last;
        response[1] = 0x21;

        Assert.Equal(AuthStatus.Pending, server.Receive(response, serverOut, 0));
        Assert.Single(serverOut.Sent);
    }
}

using System.Text;
using Gateway.Credentials;
using Gateway.Ppp.Auth;

namespace Gateway.Tests.Ppp.Auth;

/// <summary>Each server authenticator against the matching client authenticator, in memory.</summary>
public sealed class AuthenticatorExchangeTests
{
    private const string Failure691 = "E=691 R=0 C=11111111111111111111111111111111 V=3 M=Authentication failed";
    private static readonly byte[] NewChallenge = Enumerable.Repeat((byte)0x11, 16).ToArray();
    private static readonly byte[] ZeroHlak = new byte[32];

    private static UserCredential RfcUser(string? clearText = null, bool disabled = false) =>
        new("User", NtHash.FromPassword("clientPass"), clearText, disabled);

    private static byte[] Packet(byte code, byte id, string ascii)
    {
        byte[] text = Encoding.ASCII.GetBytes(ascii);
        return [code, id, (byte)((text.Length + 4) >> 8), (byte)(text.Length + 4), .. text];
    }

    [Theory]
    [InlineData(AuthMethod.Pap)]
    [InlineData(AuthMethod.ChapMd5)]
    [InlineData(AuthMethod.MsChapV2)]
    [InlineData(AuthMethod.EapMsChapV2)]
    public void RightPassword_BothSidesSucceed_WithTheSameHlak(AuthMethod method)
    {
        var store = AuthHarness.Store(RfcUser(clearText: "clientPass"));
        IServerAuthenticator server = AuthHarness.ServerFactory(store).Create(method);
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "clientPass").Create(method)!;

        AuthHarness.Run(server, client);

        Assert.Equal(AuthStatus.Succeeded, server.Status);
        Assert.Equal(AuthStatus.Succeeded, client.Status);
        Assert.Null(server.FailureReason);
        Assert.Equal("User", server.UserName);
        Assert.Equal(server.Hlak.ToArray(), client.Hlak.ToArray());
        Assert.Equal(server.Protocol, client.Protocol);
        Assert.Equal(long.MaxValue, server.NextDeadlineMs);
        if (method is AuthMethod.Pap or AuthMethod.ChapMd5)
        {
            Assert.Equal(ZeroHlak, server.Hlak.ToArray());
        }
        else
        {
            Assert.NotEqual(ZeroHlak, server.Hlak.ToArray());
        }
    }

    [Theory]
    [InlineData(AuthMethod.MsChapV2)]
    [InlineData(AuthMethod.EapMsChapV2)]
    public void RfcChallenges_GiveTheRfcNtResponse_SuccessMessage_AndHlak(AuthMethod method)
    {
        var store = AuthHarness.Store(RfcUser());
        var serverRandom = new QueueRandom([0x30], AuthHarness.RfcAuthenticatorChallenge);
        var clientRandom = new QueueRandom(AuthHarness.RfcPeerChallenge);
        IServerAuthenticator server = AuthHarness.ServerFactory(store, serverRandom).Create(method);
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "clientPass", clientRandom.Fill).Create(method)!;

        var (serverOut, clientOut) = AuthHarness.Run(server, client);

        Assert.Equal(AuthStatus.Succeeded, server.Status);
        Assert.Equal(AuthStatus.Succeeded, client.Status);
        Assert.Equal(CryptoVectorTests.KnownHlak, Convert.ToHexString(server.Hlak));
        Assert.Equal(CryptoVectorTests.KnownHlak, Convert.ToHexString(client.Hlak));

        string responseHex = string.Concat(clientOut.Sent.Select(s => Convert.ToHexString(s.Packet)));
        Assert.Contains("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF", responseHex);
        string serverText = string.Concat(serverOut.Sent.Select(s => Encoding.ASCII.GetString(s.Packet)));
        Assert.Contains("S=407A5589115FD0D6209F510FE9C04566932CDA56 M=Access granted", serverText);
    }

    [Fact]
    public void MsChapV2_Packets_AreExact()
    {
        var store = AuthHarness.Store(RfcUser());
        var serverRandom = new QueueRandom([0x30], AuthHarness.RfcAuthenticatorChallenge);
        var clientRandom = new QueueRandom(AuthHarness.RfcPeerChallenge);
        IServerAuthenticator server = AuthHarness.ServerFactory(store, serverRandom).Create(AuthMethod.MsChapV2);
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "clientPass", clientRandom.Fill).Create(AuthMethod.MsChapV2)!;

        var (serverOut, clientOut) = AuthHarness.Run(server, client);

        // Challenge: code 1, id 0x30, length 4+1+16+2, Value-Size 16, challenge, name "gw".
        Assert.Equal("01300017" + "10" + "5B5D7C7D7B3F2F3E3C2C602132262628" + "6777", Convert.ToHexString(serverOut.Sent[0].Packet));
        // Response: code 2, id 0x30, length 4+1+49+4, Value-Size 49, PeerChallenge, 8 zero, NT-Response, flags 0, "User".
        Assert.Equal(
            "0230003A" + "31" + "21402324255E262A28295F2B3A337C7E" + "0000000000000000"
            + "82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF" + "00" + "55736572",
            Convert.ToHexString(clientOut.Sent[0].Packet));
        Assert.Equal(Packet(3, 0x30, "S=407A5589115FD0D6209F510FE9C04566932CDA56 M=Access granted"), serverOut.Sent[1].Packet);
        Assert.Equal(2, serverOut.Sent.Count);
    }

    [Fact]
    public void MsChapV2_WrongPassword_SendsExact691Failure()
    {
        var store = AuthHarness.Store(RfcUser());
        var serverRandom = new QueueRandom([0x07], AuthHarness.RfcAuthenticatorChallenge, NewChallenge);
        IServerAuthenticator server = AuthHarness.ServerFactory(store, serverRandom).Create(AuthMethod.MsChapV2);
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "wrong").Create(AuthMethod.MsChapV2)!;

        var (serverOut, _) = AuthHarness.Run(server, client);

        Assert.Equal(AuthStatus.Failed, server.Status);
        Assert.Equal(AuthStatus.Failed, client.Status);
        Assert.Equal("wrong password", server.FailureReason);
        Assert.Equal(Packet(4, 0x07, Failure691), serverOut.Last);
        Assert.Equal(Failure691, client.FailureReason);
        Assert.Equal(ZeroHlak, server.Hlak.ToArray());
        Assert.Equal(ZeroHlak, client.Hlak.ToArray());
    }

    [Fact]
    public void MsChapV2_DisabledAccount_Sends647()
    {
        var store = AuthHarness.Store(RfcUser(disabled: true));
        var serverRandom = new QueueRandom([0x07], AuthHarness.RfcAuthenticatorChallenge, NewChallenge);
        IServerAuthenticator server = AuthHarness.ServerFactory(store, serverRandom).Create(AuthMethod.MsChapV2);
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "clientPass").Create(AuthMethod.MsChapV2)!;

        AuthHarness.Run(server, client);

        Assert.Equal(AuthStatus.Failed, server.Status);
        Assert.Equal("account disabled", server.FailureReason);
        Assert.Equal("E=647 R=0 C=11111111111111111111111111111111 V=3 M=Account disabled", client.FailureReason);
    }

    [Fact]
    public void MsChapV2_UnknownUser_Fails691()
    {
        var store = AuthHarness.Store(RfcUser());
        var serverRandom = new QueueRandom([0x07], AuthHarness.RfcAuthenticatorChallenge, NewChallenge);
        IServerAuthenticator server = AuthHarness.ServerFactory(store, serverRandom).Create(AuthMethod.MsChapV2);
        IClientAuthenticator client = new ClientAuthenticatorFactory("nobody", "clientPass").Create(AuthMethod.MsChapV2)!;

        AuthHarness.Run(server, client);

        Assert.Equal("unknown user 'nobody'", server.FailureReason);
        Assert.Equal(Failure691, client.FailureReason);
    }

    [Theory]
    [InlineData(AuthMethod.MsChapV2)]
    [InlineData(AuthMethod.EapMsChapV2)]
    public void DomainPrefix_IsStrippedForHashingAndLookup(AuthMethod method)
    {
        var store = AuthHarness.Store(new UserCredential("user", NtHash.FromPassword("clientPass")));
        var serverRandom = new QueueRandom([0x30], AuthHarness.RfcAuthenticatorChallenge);
        var clientRandom = new QueueRandom(AuthHarness.RfcPeerChallenge);
        IServerAuthenticator server = AuthHarness.ServerFactory(store, serverRandom).Create(method);
        IClientAuthenticator client = new ClientAuthenticatorFactory(@"CORP\User", "clientPass", clientRandom.Fill).Create(method)!;

        var (_, clientOut) = AuthHarness.Run(server, client);

        Assert.Equal(AuthStatus.Succeeded, server.Status);
        Assert.Equal(AuthStatus.Succeeded, client.Status);
        Assert.Equal(@"CORP\User", server.UserName);
        // The Response carries the name as typed, but hashing used "User": the RFC NT-Response and HLAK come out.
        string response = Convert.ToHexString(clientOut.Sent.Single(s => s.Packet.Length > 60).Packet);
        Assert.Contains("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF" + "00" + Convert.ToHexString(@"CORP\User"u8), response);
        Assert.EndsWith(Convert.ToHexString(@"CORP\User"u8), response);
        Assert.Equal(CryptoVectorTests.KnownHlak, Convert.ToHexString(server.Hlak));
    }

    [Theory]
    [InlineData(AuthMethod.Pap)]
    [InlineData(AuthMethod.ChapMd5)]
    public void DomainPrefix_IsStrippedForLookup_PapAndChap(AuthMethod method)
    {
        var store = AuthHarness.Store(RfcUser(clearText: "clientPass"));
        IServerAuthenticator server = AuthHarness.ServerFactory(store).Create(method);
        IClientAuthenticator client = new ClientAuthenticatorFactory(@"CORP\user", "clientPass").Create(method)!;

        AuthHarness.Run(server, client);

        Assert.Equal(AuthStatus.Succeeded, server.Status);
        Assert.Equal(@"CORP\user", server.UserName);
    }

    [Fact]
    public void Pap_WrongPassword_Naks()
    {
        var store = AuthHarness.Store(RfcUser());
        IServerAuthenticator server = AuthHarness.ServerFactory(store).Create(AuthMethod.Pap);
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "wrong", new QueueRandom([0x21]).Fill).Create(AuthMethod.Pap)!;

        var (serverOut, clientOut) = AuthHarness.Run(server, client);

        Assert.Equal(AuthStatus.Failed, server.Status);
        Assert.Equal("wrong password", server.FailureReason);
        Assert.Equal("0121000F" + "0455736572" + "0577726F6E67", Convert.ToHexString(clientOut.Sent[0].Packet));
        // Nak: code 3, id 0x21, Msg-Length 21, "Authentication failed".
        Assert.Equal("0321001A15" + Convert.ToHexString("Authentication failed"u8), Convert.ToHexString(serverOut.Last));
        Assert.Equal(AuthStatus.Failed, client.Status);
        Assert.Equal("PAP Authenticate-Nak: Authentication failed", client.FailureReason);
    }

    [Fact]
    public void Pap_Success_AcksWithMessage()
    {
        var store = AuthHarness.Store(RfcUser());
        IServerAuthenticator server = AuthHarness.ServerFactory(store).Create(AuthMethod.Pap);
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "clientPass", new QueueRandom([0x21]).Fill).Create(AuthMethod.Pap)!;

        var (serverOut, _) = AuthHarness.Run(server, client);

        Assert.Equal("02210013" + "0E" + Convert.ToHexString("Access granted"u8), Convert.ToHexString(serverOut.Last));
        Assert.Equal(AuthStatus.Succeeded, client.Status);
    }

    [Fact]
    public void Pap_DisabledAccount_Naks()
    {
        var store = AuthHarness.Store(RfcUser(disabled: true));
        IServerAuthenticator server = AuthHarness.ServerFactory(store).Create(AuthMethod.Pap);
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "clientPass").Create(AuthMethod.Pap)!;

        AuthHarness.Run(server, client);

        Assert.Equal("account disabled", server.FailureReason);
        Assert.Equal("PAP Authenticate-Nak: Account disabled", client.FailureReason);
    }

    [Fact]
    public void ChapMd5_WrongPassword_Fails()
    {
        var store = AuthHarness.Store(RfcUser(clearText: "clientPass"));
        IServerAuthenticator server = AuthHarness.ServerFactory(store, new QueueRandom([0x05])).Create(AuthMethod.ChapMd5);
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "wrong").Create(AuthMethod.ChapMd5)!;

        var (serverOut, _) = AuthHarness.Run(server, client);

        Assert.Equal(AuthStatus.Failed, server.Status);
        Assert.Equal("wrong password", server.FailureReason);
        Assert.Equal(Packet(4, 0x05, "Authentication failed"), serverOut.Last);
        Assert.Equal("CHAP Failure: Authentication failed", client.FailureReason);
    }

    [Fact]
    public void ChapMd5_Response_IsMd5OfIdSecretChallenge()
    {
        var store = AuthHarness.Store(RfcUser(clearText: "clientPass"));
        byte[] challenge = Convert.FromHexString("000102030405060708090A0B0C0D0E0F");
        IServerAuthenticator server = AuthHarness.ServerFactory(store, new QueueRandom([0x05], challenge)).Create(AuthMethod.ChapMd5);
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "clientPass").Create(AuthMethod.ChapMd5)!;

        var (serverOut, clientOut) = AuthHarness.Run(server, client);

        byte[] expected = System.Security.Cryptography.MD5.HashData([0x05, .. "clientPass"u8, .. challenge]);
        Assert.Equal("0205" + "0019" + "10" + Convert.ToHexString(expected) + "55736572", Convert.ToHexString(clientOut.Sent[0].Packet));
        Assert.Equal(Packet(3, 0x05, "Access granted"), serverOut.Last);
    }

    [Fact]
    public void ChapMd5_UserWithoutClearTextPassword_FailsWithClearReason()
    {
        var store = AuthHarness.Store(RfcUser());
        IServerAuthenticator server = AuthHarness.ServerFactory(store).Create(AuthMethod.ChapMd5);
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "clientPass").Create(AuthMethod.ChapMd5)!;

        AuthHarness.Run(server, client);

        Assert.Equal(AuthStatus.Failed, server.Status);
        Assert.Equal("CHAP-MD5 needs a clear-text password, and none is stored for this user (only the NT hash)", server.FailureReason);
        Assert.Equal(AuthStatus.Failed, client.Status);
    }

    [Fact]
    public void Eap_WrongPassword_FailureRequest_ThenEapFailure()
    {
        var store = AuthHarness.Store(RfcUser());
        var serverRandom = new QueueRandom([0x40], AuthHarness.RfcAuthenticatorChallenge, NewChallenge);
        IServerAuthenticator server = AuthHarness.ServerFactory(store, serverRandom).Create(AuthMethod.EapMsChapV2);
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "wrong").Create(AuthMethod.EapMsChapV2)!;

        var (serverOut, clientOut) = AuthHarness.Run(server, client);

        Assert.Equal(AuthStatus.Failed, server.Status);
        Assert.Equal("wrong password", server.FailureReason);
        Assert.Equal(AuthStatus.Failed, client.Status);
        Assert.Equal(Failure691, client.FailureReason);

        // Identity 0x40, Challenge 0x41, Failure-Request 0x42, EAP Failure 0x42.
        Assert.Equal("0140000501", Convert.ToHexString(serverOut.Sent[0].Packet));
        byte[] failureText = Encoding.ASCII.GetBytes(Failure691);
        byte[] failureRequest = [1, 0x42, 0, (byte)(9 + failureText.Length), 26, 4, 0x41, 0, (byte)(4 + failureText.Length), .. failureText];
        Assert.Equal(failureRequest, serverOut.Sent[2].Packet);
        Assert.Equal("04420004", Convert.ToHexString(serverOut.Last));
        Assert.Equal("024200061A04", Convert.ToHexString(clientOut.Last));
    }

    [Fact]
    public void Eap_Success_Packets_AreExact()
    {
        var store = AuthHarness.Store(RfcUser());
        var serverRandom = new QueueRandom([0x40], AuthHarness.RfcAuthenticatorChallenge);
        var clientRandom = new QueueRandom(AuthHarness.RfcPeerChallenge);
        IServerAuthenticator server = AuthHarness.ServerFactory(store, serverRandom).Create(AuthMethod.EapMsChapV2);
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "clientPass", clientRandom.Fill).Create(AuthMethod.EapMsChapV2)!;

        var (serverOut, clientOut) = AuthHarness.Run(server, client);

        Assert.Equal("0240000901" + "55736572", Convert.ToHexString(clientOut.Sent[0].Packet));
        // Challenge: EAP length 5+4+1+16+2 = 28, OpCode 1, MS-CHAPv2-ID 0x41, MS-Length 23.
        Assert.Equal("0141001C1A" + "01410017" + "10" + "5B5D7C7D7B3F2F3E3C2C602132262628" + "6777", Convert.ToHexString(serverOut.Sent[1].Packet));
        Assert.Equal(
            "0241003F1A" + "0241003A" + "31" + "21402324255E262A28295F2B3A337C7E" + "0000000000000000"
            + "82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF" + "00" + "55736572",
            Convert.ToHexString(clientOut.Sent[1].Packet));
        byte[] success = "S=407A5589115FD0D6209F510FE9C04566932CDA56 M=Access granted"u8.ToArray();
        Assert.Equal([1, 0x42, 0, (byte)(9 + success.Length), 26, 3, 0x41, 0, (byte)(4 + success.Length), .. success], serverOut.Sent[2].Packet);
        Assert.Equal("024200061A03", Convert.ToHexString(clientOut.Sent[2].Packet));
        Assert.Equal("03420004", Convert.ToHexString(serverOut.Last));
    }

    [Fact]
    public void Eap_PeerNaksType26_FailsClearly()
    {
        var store = AuthHarness.Store(RfcUser());
        IServerAuthenticator server = AuthHarness.ServerFactory(store, new QueueRandom([0x40])).Create(AuthMethod.EapMsChapV2);
        var output = new RecordingAuthOutput();
        server.Start(output, 0);
        server.Receive(Convert.FromHexString("0240000901" + "55736572"), output, 0);
        Assert.Equal(AuthStatus.Pending, server.Status);

        server.Receive(Convert.FromHexString("02410007" + "03" + "0D19"), output, 0);

        Assert.Equal(AuthStatus.Failed, server.Status);
        Assert.Equal("peer refused EAP-MSCHAPv2 (EAP Nak, desired types: 13, 25)", server.FailureReason);
        Assert.Equal("04410004", Convert.ToHexString(output.Last));
    }

    [Fact]
    public void EapClient_NaksOtherTypes_AndRejectsEarlySuccess()
    {
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "clientPass").Create(AuthMethod.EapMsChapV2)!;
        var output = new RecordingAuthOutput();
        client.Start(output, 0);

        client.Receive(Convert.FromHexString("01070006" + "0D20"), output, 0); // EAP-TLS Start
        Assert.Equal("02070006031A", Convert.ToHexString(output.Last));

        client.Receive(Convert.FromHexString("03070004"), output, 0);
        Assert.Equal(AuthStatus.Failed, client.Status);
        Assert.StartsWith("EAP Success before the server proved itself", client.FailureReason);
    }

    [Theory]
    [InlineData(AuthMethod.MsChapV2)]
    [InlineData(AuthMethod.EapMsChapV2)]
    public void Client_RejectsWrongServerAuthenticatorResponse(AuthMethod method)
    {
        var store = AuthHarness.Store(RfcUser());
        IServerAuthenticator server = AuthHarness.ServerFactory(store).Create(method);
        IClientAuthenticator client = new ClientAuthenticatorFactory("User", "clientPass").Create(method)!;
        var serverOut = new RecordingAuthOutput();
        var clientOut = new RecordingAuthOutput();
        server.Start(serverOut, 0);
        client.Start(clientOut, 0);

        for (int round = 0; round < 10 && client.Status == AuthStatus.Pending; round++)
        {
            foreach (var (_, packet) in serverOut.Drain())
            {
                int s = Encoding.ASCII.GetString(packet).IndexOf("S=", StringComparison.Ordinal);
                if (s >= 0)
                {
                    packet[s + 2] = packet[s + 2] == (byte)'0' ? (byte)'1' : (byte)'0'; // a server that does not know the hash
                }

                client.Receive(packet, clientOut, 0);
            }

            foreach (var (_, packet) in clientOut.Drain())
            {
                server.Receive(packet, serverOut, 0);
            }
        }

        Assert.Equal(AuthStatus.Failed, client.Status);
        Assert.StartsWith("the server could not be authenticated", client.FailureReason);
        Assert.Equal(ZeroHlak, client.Hlak.ToArray());
    }

    [Fact]
    public void ServerFactory_CreatesTheRightProtocols()
    {
        var factory = AuthHarness.ServerFactory(AuthHarness.Store());
        Assert.Equal(0xC023, factory.Create(AuthMethod.Pap).Protocol);
        Assert.Equal(0xC223, factory.Create(AuthMethod.ChapMd5).Protocol);
        Assert.Equal(0xC223, factory.Create(AuthMethod.MsChapV2).Protocol);
        Assert.Equal(0xC227, factory.Create(AuthMethod.EapMsChapV2).Protocol);
        Assert.Null(new ClientAuthenticatorFactory("u", "p").Create((AuthMethod)99));
    }
}

using System.Buffers.Binary;
using FsCheck.Xunit;
using Gateway.Credentials;
using Gateway.Ppp.Auth;

namespace Gateway.Tests.Ppp.Auth;

/// <summary>Arbitrary bytes into every authenticator's Receive never throw (malformed packets are discarded or fail).</summary>
public sealed class AuthenticatorPropertyTests
{
    private static readonly AuthMethod[] Methods = [AuthMethod.Pap, AuthMethod.ChapMd5, AuthMethod.MsChapV2, AuthMethod.EapMsChapV2];

    private static LocalCredentialStore Store() =>
        AuthHarness.Store(new UserCredential("User", NtHash.FromPassword("clientPass"), "clientPass"));

    /// <summary>Header with a consistent Length so the bytes reach the parsers behind the header check.</summary>
    private static byte[] WithHeader(byte code, byte identifier, byte[] body)
    {
        int length = Math.Min(body.Length, 2000) + 4;
        byte[] packet = new byte[length];
        packet[0] = code;
        packet[1] = identifier;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)length);
        body.AsSpan(0, length - 4).CopyTo(packet.AsSpan(4));
        return packet;
    }

    [Property(MaxTest = 300)]
    public void Servers_NeverThrow_OnArbitraryBytes(byte[] raw, byte code, byte[] body)
    {
        raw ??= [];
        body ??= [];
        foreach (AuthMethod method in Methods)
        {
            IServerAuthenticator server = AuthHarness.ServerFactory(Store()).Create(method);
            var output = new RecordingAuthOutput();
            server.Start(output, 0);
            byte identifier = output.Sent.Count > 0 ? output.Last[1] : (byte)0;

            server.Receive(raw, output, 1);
            server.Receive(WithHeader((byte)(code % 8), identifier, body), output, 2);
            server.OnTimer(3000, output);
        }
    }

    [Property(MaxTest = 300)]
    public void EapServer_NeverThrows_OnArbitraryMsChapV2Responses(byte opCode, byte[] body)
    {
        body ??= [];
        IServerAuthenticator server = AuthHarness.ServerFactory(Store()).Create(AuthMethod.EapMsChapV2);
        var output = new RecordingAuthOutput();
        server.Start(output, 0);
        server.Receive(WithHeader(2, output.Last[1], [1, .. "User"u8]), output, 0);
        Assert.Equal(26, output.Last[4]); // the EAP-MSCHAPv2 Challenge is outstanding

        server.Receive(WithHeader(2, output.Last[1], [26, (byte)(opCode % 8), .. body]), output, 1);
        server.Receive(WithHeader(2, output.Last[1], [26, (byte)(opCode % 8), .. body]), output, 1);
    }

    [Property(MaxTest = 300)]
    public void ChapServers_NeverThrow_OnArbitraryResponseValues(byte valueSize, byte[] body)
    {
        body ??= [];
        foreach (AuthMethod method in new[] { AuthMethod.ChapMd5, AuthMethod.MsChapV2 })
        {
            IServerAuthenticator server = AuthHarness.ServerFactory(Store()).Create(method);
            var output = new RecordingAuthOutput();
            server.Start(output, 0);
            server.Receive(WithHeader(2, output.Last[1], [valueSize, .. body]), output, 1);
            Assert.NotEqual(AuthStatus.Succeeded, server.Status);
        }
    }

    [Property(MaxTest = 300)]
    public void Clients_NeverThrow_OnArbitraryBytes(byte[] raw, byte code, byte identifier, byte[] body)
    {
        raw ??= [];
        body ??= [];
        foreach (AuthMethod method in Methods)
        {
            IClientAuthenticator client = new ClientAuthenticatorFactory(@"DOM\User", "clientPass").Create(method)!;
            var output = new RecordingAuthOutput();
            client.Start(output, 0);
            client.Receive(raw, output, 1);
            client.Receive(WithHeader((byte)(code % 8), identifier, body), output, 2);
            client.Receive(WithHeader(1, identifier, [26, 1, identifier, 0, 0, .. body]), output, 3);
            client.Receive(WithHeader(1, identifier, [26, (byte)(code % 8), identifier, 0, 0, .. body]), output, 3);
            client.OnTimer(3000, output);
        }
    }

    [Property(MaxTest = 200)]
    public void Servers_NeverSucceed_OnGarbageAfterAValidChallenge(byte[] body)
    {
        body ??= [];
        foreach (AuthMethod method in Methods)
        {
            IServerAuthenticator server = AuthHarness.ServerFactory(Store()).Create(method);
            var output = new RecordingAuthOutput();
            server.Start(output, 0);
            byte identifier = output.Sent.Count > 0 ? output.Last[1] : (byte)0;
            server.Receive(WithHeader(method == AuthMethod.Pap ? (byte)1 : (byte)2, identifier, body), output, 1);
            Assert.NotEqual(AuthStatus.Succeeded, server.Status);
        }
    }
}

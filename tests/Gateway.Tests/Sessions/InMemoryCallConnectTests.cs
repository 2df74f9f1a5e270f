using Gateway.Credentials;
using Gateway.Ppp;
using Gateway.Ppp.Auth;
using Gateway.Sstp;
using static Gateway.Tests.Sessions.InMemoryCallPackets;

namespace Gateway.Tests.Sessions;

/// <summary>Whole calls that succeed: SSTP + PPP + authentication + credentials, client and server in memory.</summary>
public class InMemoryCallConnectTests
{
    public static TheoryData<AuthMethod> Methods => [AuthMethod.Pap, AuthMethod.ChapMd5, AuthMethod.MsChapV2, AuthMethod.EapMsChapV2];

    [Theory]
    [MemberData(nameof(Methods))]
    public void Call_connects_and_carries_ipv4_both_ways(AuthMethod method)
    {
        var call = new InMemoryCall(new InMemoryCallOptions { Method = method });

        call.Connect();

        Assert.True(call.Server.DataAllowed);
        Assert.True(call.Client.DataAllowed);
        Assert.Equal(method, call.ServerPpp.AuthenticationMethod);
        Assert.Equal(method, call.ClientPpp.AuthenticationMethod);
        Assert.Equal(InMemoryCall.User, call.ServerPpp.UserName);
        Assert.Equal(InMemoryCall.User, call.ServerAuthenticatedUser);
        Assert.Equal(SstpHashProtocol.Sha256, call.Server.NegotiatedHashProtocol);
        Assert.Equal(SstpHashProtocol.Sha256, call.Client.HashProtocol);
        Assert.Equal(NegotiationState.Opened, call.ServerPpp.IpcpState);
        Assert.Equal(NegotiationState.Opened, call.ClientPpp.IpcpState);

        // IPCP: the assigned address, the gateway address and both DNS servers of PppOptions.DnsServers.
        Assert.Equal(InMemoryCall.ClientAddress, call.ClientPpp.Address);
        Assert.Equal((InMemoryCall.ClientAddress, InMemoryCall.GatewayAddress, InMemoryCall.Dns1, InMemoryCall.Dns2), call.ClientNetworkUp!.Value);
        Assert.Equal(InMemoryCall.ClientAddress, call.ServerNetworkUp);

        // The whole negotiation needed no timer: everything happened at t = 0, nothing was gated or aborted.
        Assert.All(call.Wire, p => Assert.Equal(0, p.AtMs));
        Assert.Equal(0, call.Server.GatedFrames);
        Assert.Equal(0, call.Client.GatedFrames);
        Assert.Null(call.Server.AbortStatusSent);
        Assert.Null(call.Client.AbortStatusSent);
        Assert.Single(call.Controls(CallSide.Client, SstpMessageType.CallConnected));

        AssertIpFlowsBothWays(call);
    }

    [Fact]
    public void Server_offering_sha1_only_binds_with_sha1()
    {
        var call = new InMemoryCall(new InMemoryCallOptions
        {
            Method = AuthMethod.MsChapV2,
            ServerSstp = new SstpOptions { HashProtocols = SstpHashProtocol.Sha1 },
        });

        call.Connect();

        Assert.Equal(SstpHashProtocol.Sha1, call.Client.HashProtocol);
        Assert.Equal(SstpHashProtocol.Sha1, call.Server.NegotiatedHashProtocol);

        // On the wire: the ACK offered bitmask 0x01 only; CALL_CONNECTED says SHA-1 and carries the 20-byte SHA-1
        // certificate hash, zero-padded to 32 (MS-SSTP 2.2.7), under an HMAC-SHA1 MAC over the real HLAK.
        byte[] ack = Assert.Single(call.Controls(CallSide.Server, SstpMessageType.CallConnectAck)).Bytes;
        Assert.Equal(0x01, ack[15]);
        byte[] connected = Assert.Single(call.Controls(CallSide.Client, SstpMessageType.CallConnected)).Bytes;
        Assert.Equal((byte)SstpHashProtocol.Sha1, connected[SstpConstants.CallConnectedHashProtocolOffset]);
        Assert.Equal(System.Security.Cryptography.SHA1.HashData(InMemoryCall.Certificate), connected.AsSpan(48, 20).ToArray());
        Assert.Equal(new byte[12], connected.AsSpan(68, 12).ToArray());
        Assert.Equal(new byte[12], connected.AsSpan(100, 12).ToArray());
        Assert.True(SstpCompoundMac.Verify(SstpHashProtocol.Sha1, call.ServerHlak, connected));

        AssertIpFlowsBothWays(call);
    }

    [Theory]
    [InlineData(AuthMethod.MsChapV2)]
    [InlineData(AuthMethod.EapMsChapV2)]
    public void Crypto_binding_uses_the_mschapv2_hlak_derived_from_the_wire(AuthMethod method)
    {
        var call = new InMemoryCall(new InMemoryCallOptions { Method = method });
        call.Connect();

        // Independent derivation: NT hash of the password, NT-Response as the client sent it.
        byte[] ntResponse = NtResponseOnWire(call, method);
        byte[] expected = new byte[32];
        MsChapV2Crypto.DeriveHlak(NtHash.FromPassword(InMemoryCall.Password), ntResponse, expected);

        Assert.NotEqual(new byte[32], expected);
        Assert.Equal(expected, call.ServerHlak);
        Assert.Equal(expected, call.ClientHlak);

        // The CALL_CONNECTED on the wire carries a MAC over that HLAK, not over zeros.
        byte[] connected = Assert.Single(call.Controls(CallSide.Client, SstpMessageType.CallConnected)).Bytes;
        Assert.True(SstpCompoundMac.Verify(SstpHashProtocol.Sha256, expected, connected));
        Assert.False(SstpCompoundMac.Verify(SstpHashProtocol.Sha256, new byte[32], connected));
    }

    [Theory]
    [InlineData(AuthMethod.Pap)]
    [InlineData(AuthMethod.ChapMd5)]
    public void Crypto_binding_uses_a_zero_hlak_for_pap_and_chap(AuthMethod method)
    {
        var call = new InMemoryCall(new InMemoryCallOptions { Method = method });
        call.Connect();

        Assert.Equal(new byte[32], call.ServerHlak);
        Assert.Equal(new byte[32], call.ClientHlak);
        byte[] connected = Assert.Single(call.Controls(CallSide.Client, SstpMessageType.CallConnected)).Bytes;
        Assert.True(SstpCompoundMac.Verify(SstpHashProtocol.Sha256, new byte[32], connected));
    }

    [Theory]
    [InlineData(AuthMethod.MsChapV2)]
    [InlineData(AuthMethod.Pap)]
    public void Call_connected_arriving_before_the_server_hlak_is_held_then_verified(AuthMethod method)
    {
        var call = new InMemoryCall(new InMemoryCallOptions { Method = method }) { HoldServerHlak = true };
        call.Start();

        // The client authenticated and sent CALL_CONNECTED; the server has it but no HLAK yet.
        Assert.Equal(SstpState.CallConnected, call.Client.State);
        Assert.Equal(SstpState.CallConnectedPending, call.Server.State);
        Assert.Single(call.Controls(CallSide.Client, SstpMessageType.CallConnected));
        Assert.Empty(call.Controls(CallSide.Server, SstpMessageType.CallAbort));
        Assert.False(call.Server.DataAllowed);

        // IPCP finished meanwhile (control frames pass), but IP data does not reach the server yet.
        Assert.NotNull(call.ClientNetworkUp);
        byte[] early = IcmpEcho(InMemoryCall.ClientAddress, InMemoryCall.GatewayAddress, 7, 1);
        Assert.True(call.SendFromClient(early));
        Assert.Empty(call.ServerReceivedIp);
        Assert.Equal(1, call.Server.GatedFrames);

        call.Advance(1_500);
        Assert.Equal(SstpState.CallConnectedPending, call.Server.State);
        call.ReleaseServerHlak();

        Assert.Equal(SstpState.CallConnected, call.Server.State);
        Assert.Equal(SstpHashProtocol.Sha256, call.Server.NegotiatedHashProtocol);
        Assert.Null(call.Server.AbortStatusSent);
        AssertIpFlowsBothWays(call);

        // The Hello timer started when the held message was verified (t = 1.5 s), not when it arrived.
        Assert.Equal(1_500 + call.ServerOptions.HelloIntervalMs, call.Server.NextDeadlineMs);
    }

    [Fact]
    public void Held_call_connected_with_a_bad_mac_aborts_when_the_hlak_arrives()
    {
        var call = new InMemoryCall(new InMemoryCallOptions
        {
            ClientSstp = new SstpClientOptions { MutateCallConnectedAfterMac = m => m[SstpConstants.CallConnectedMacOffset + 5] ^= 0x40 },
        })
        { HoldServerHlak = true };
        call.Start();
        Assert.Equal(SstpState.CallConnectedPending, call.Server.State);

        call.Advance(200);
        call.ReleaseServerHlak();

        Assert.Equal(new SstpStatusInfo(SstpAttributeId.CryptoBinding, SstpStatus.ValueNotSupported), call.Server.AbortStatusSent);
        WirePacket abort = Assert.Single(call.Controls(CallSide.Server, SstpMessageType.CallAbort));
        Assert.Equal(200, abort.AtMs);
    }

    internal static void AssertIpFlowsBothWays(InMemoryCall call)
    {
        // Client -> server: the server's Receive returns IPv4 with exactly the bytes sent.
        byte[] up = IcmpEcho(InMemoryCall.ClientAddress, System.Net.IPAddress.Parse("192.0.2.10"), 0x4242, 1);
        Assert.Equal(0, Checksum(up.AsSpan(0, 20)));
        Assert.Equal(0, Checksum(up.AsSpan(20)));
        int before = call.ServerReceivedIp.Count;
        Assert.True(call.SendFromClient(up));
        var received = Assert.Single(call.ServerReceivedIp.Skip(before));
        Assert.Equal(SstpInputKind.IPv4, received.Kind);
        Assert.Equal(up, received.Packet);

        // Server -> client, fast path (SSTP header + FF 03 00 21 in front of the packet).
        byte[] down = IcmpEcho(System.Net.IPAddress.Parse("192.0.2.10"), InMemoryCall.ClientAddress, 0x4242, 2, payloadLength: 1372);
        before = call.ClientReceivedIp.Count;
        Assert.True(call.SendFromServerFastPath(down));
        var fast = Assert.Single(call.ClientReceivedIp.Skip(before));
        Assert.Equal(SstpInputKind.IPv4, fast.Kind);
        Assert.Equal(down, fast.Packet);
        WirePacket wire = call.Wire[^1];
        Assert.Equal(CallSide.Server, wire.From);
        Assert.Equal(new byte[] { 0x10, 0x00, 0x05, 0x80, 0xFF, 0x03, 0x00, 0x21 }, wire.Bytes.AsSpan(0, 8).ToArray());

        // Server -> client through PppServer.SendIPv4.
        byte[] down2 = IcmpEcho(System.Net.IPAddress.Parse("192.0.2.11"), InMemoryCall.ClientAddress, 0x4243, 3, payloadLength: 0);
        Assert.True(call.SendFromServer(down2));
        var framed = Assert.Single(call.ClientReceivedIp.Skip(before + 1));
        Assert.Equal(SstpInputKind.IPv4, framed.Kind);
        Assert.Equal(down2, framed.Packet);
    }
}

using System.Text;
using Gateway.Ppp;
using Gateway.Ppp.Auth;
using Gateway.Sstp;
using static Gateway.Tests.Sessions.InMemoryCallPackets;

namespace Gateway.Tests.Sessions;

/// <summary>Whole calls that fail: wrong credentials, and crypto bindings the server must refuse.</summary>
public class InMemoryCallFailureTests
{
    /// <summary>CALL_ABORT with Status Info (AttribID 3 = Crypto Binding, status 4 = ATTRIB_VALUE_NOT_SUPPORTED), MS-SSTP 2.2.8 / 3.3.5.2.3.</summary>
    private static readonly byte[] CallAbortCryptoBinding = Convert.FromHexString("10010014" + "00050001" + "0002000C" + "00000003" + "00000004");

    [Fact]
    public void Mschapv2_wrong_password_fails_with_691_and_the_call_ends_with_call_disconnect()
    {
        var call = new InMemoryCall(new InMemoryCallOptions { Method = AuthMethod.MsChapV2, Password = "wrong horse" });
        call.Start();

        // RFC 2759 6: "E=691 R=0 C=<new challenge> V=3 M=..."; R=0 so the client does not retry.
        Assert.Contains("E=691", call.ClientAuthFailure);
        Assert.Contains("R=0", call.ClientAuthFailure);
        byte[] failure = Assert.Single(PppPackets(call, CallSide.Server, PppProtocol.Chap), p => p[0] == 4);
        Assert.Matches("^E=691 R=0 C=[0-9A-F]{32} V=3 M=", Encoding.ASCII.GetString(failure, 4, failure.Length - 4));
        Assert.Equal("wrong password", call.ServerAuthFailure);

        AssertRefusedAndDisconnected(call);
    }

    [Theory]
    [InlineData(AuthMethod.MsChapV2, "wrong horse")]
    [InlineData(AuthMethod.MsChapV2, "")]
    [InlineData(AuthMethod.EapMsChapV2, "wrong horse")]
    [InlineData(AuthMethod.ChapMd5, "wrong horse")]
    [InlineData(AuthMethod.Pap, "wrong horse")]
    [InlineData(AuthMethod.Pap, "correct horse ")]
    public void Wrong_password_is_refused_by_each_method(AuthMethod method, string password)
    {
        var call = new InMemoryCall(new InMemoryCallOptions { Method = method, Password = password });
        call.Start();

        Assert.Equal("wrong password", call.ServerAuthFailure);
        AssertMethodFailureOnWire(call, method);
        AssertRefusedAndDisconnected(call);
    }

    [Theory]
    [InlineData(AuthMethod.MsChapV2)]
    [InlineData(AuthMethod.EapMsChapV2)]
    [InlineData(AuthMethod.ChapMd5)]
    [InlineData(AuthMethod.Pap)]
    public void Unknown_user_is_refused_by_each_method(AuthMethod method)
    {
        var call = new InMemoryCall(new InMemoryCallOptions { Method = method, UserName = "mallory" });
        call.Start();

        Assert.Equal("unknown user 'mallory'", call.ServerAuthFailure);
        AssertMethodFailureOnWire(call, method);
        AssertRefusedAndDisconnected(call);
    }

    [Fact]
    public void Another_users_password_is_refused()
    {
        var call = new InMemoryCall(new InMemoryCallOptions { Method = AuthMethod.MsChapV2, UserName = "bob", Password = InMemoryCall.Password });
        call.Start();

        Assert.Equal("wrong password", call.ServerAuthFailure);
        AssertRefusedAndDisconnected(call);
    }

    [Fact]
    public void Disabled_account_fails_with_647()
    {
        var call = new InMemoryCall(new InMemoryCallOptions { Method = AuthMethod.MsChapV2 });
        call.Store.SetDisabled(InMemoryCall.User, true);
        call.Start();

        Assert.Contains("E=647", call.ClientAuthFailure);
        Assert.Equal("account disabled", call.ServerAuthFailure);
        AssertRefusedAndDisconnected(call);
    }

    public static TheoryData<string> BindingFaults => ["nonce", "certificate", "mac", "hash protocol", "zero hlak"];

    [Theory]
    [MemberData(nameof(BindingFaults))]
    public void Bad_crypto_binding_is_aborted_and_nothing_passes(string fault)
    {
        var call = BrokenBindingCall(fault);
        call.Start();

        AssertCryptoBindingRejected(call.Server.AbortStatusSent);
        AssertCryptoBindingRejected(call.Client.AbortStatusReceived);
        Assert.Null(call.Client.AbortStatusSent);
        Assert.Equal(SstpHashProtocol.None, call.Server.NegotiatedHashProtocol);
        Assert.Equal(SstpState.CallAbortTimeoutPending, call.Server.State);
        Assert.Equal(SstpState.CallAbortTimeoutPending, call.Client.State);

        // Abort, answered by the client's CALL_ABORT (no status), and the server asked nothing else of PPP.
        WirePacket abort = Assert.Single(call.Controls(CallSide.Server, SstpMessageType.CallAbort));
        Assert.Equal(0, abort.AtMs);
        Assert.Equal(CallAbortCryptoBinding, abort.Bytes);
        Assert.Single(call.Controls(CallSide.Client, SstpMessageType.CallAbort));
        Assert.Same(abort, call.From(CallSide.Server).Last());
        Assert.True(call.ServerPpp.IsTerminated);
        Assert.Null(call.ServerNetworkUp);
        Assert.Null(call.ClientNetworkUp);

        AssertNoIpPasses(call);

        // Both are in Call_Abort_Timeout_Pending: TIMER_VAL_ABORT_STATE_TIMER_2 (1 s), not a millisecond earlier.
        call.AdvanceTo(999);
        Assert.False(call.Server.IsClosed);
        Assert.False(call.Client.IsClosed);
        call.AdvanceTo(1_000);
        Assert.Equal(1_000, call.ServerClosedAt);
        Assert.Equal(1_000, call.ClientClosedAt);
        Assert.StartsWith("crypto binding", call.Server.CloseReason);
        Assert.Equal("aborted by peer", call.Client.CloseReason);
        AssertNoIpPasses(call);
    }

    [Fact]
    public void Abort_whose_answer_is_lost_closes_after_abort_timer_1()
    {
        var call = BrokenBindingCall("mac");
        call.DropFilter = p => p.From == CallSide.Server && p.MessageType == SstpMessageType.CallAbort;
        call.Start();

        AssertCryptoBindingRejected(call.Server.AbortStatusSent);
        Assert.Equal(SstpState.CallAbortPending, call.Server.State);
        Assert.Equal(SstpState.CallConnected, call.Client.State); // it never heard of the abort

        // While aborting the server ignores everything, even an ECHO_REQUEST (MS-SSTP 3.1.2.1).
        call.AdvanceTo(1_500);
        SstpControlMessage.EchoRequest().Write(call.ClientOutput);
        call.Deliver();
        call.AdvanceTo(2_999);
        Assert.Equal(SstpState.CallAbortPending, call.Server.State);
        Assert.Contains(call.From(CallSide.Client), p => p.AtMs == 1_500 && !p.Dropped);
        call.AdvanceTo(3_000);
        Assert.Equal(3_000, call.ServerClosedAt);
        Assert.Empty(call.ServerReceivedIp);
        Assert.DoesNotContain(call.From(CallSide.Server), p => p.AtMs > 0);
    }

    private static InMemoryCall BrokenBindingCall(string fault) => fault switch
    {
        "nonce" => new InMemoryCall(new InMemoryCallOptions
        {
            // Altered before the MAC, so only the nonce check can catch it.
            ClientSstp = new SstpClientOptions { MutateCallConnectedBeforeMac = m => m[SstpConstants.CallConnectedNonceOffset + 31] ^= 0x01 },
        }),
        "certificate" => new InMemoryCall(new InMemoryCallOptions { ClientCertificate = "certificate of a TLS interceptor"u8.ToArray() }),
        "mac" => new InMemoryCall(new InMemoryCallOptions
        {
            ClientSstp = new SstpClientOptions { MutateCallConnectedAfterMac = m => m[SstpConstants.CallConnectedMacOffset] ^= 0x80 },
        }),
        "hash protocol" => new InMemoryCall(new InMemoryCallOptions
        {
            // The server offers SHA-256 only; the client claims SHA-1 (refused before the MAC is looked at).
            ServerSstp = new SstpOptions { HashProtocols = SstpHashProtocol.Sha256 },
            ClientSstp = new SstpClientOptions { MutateCallConnectedBeforeMac = m => m[SstpConstants.CallConnectedHashProtocolOffset] = (byte)SstpHashProtocol.Sha1 },
        }),
        "zero hlak" => new InMemoryCall(new InMemoryCallOptions { Method = AuthMethod.MsChapV2 })
        {
            // A client that binds with 32 zero bytes although MS-CHAPv2 produced keys.
            ClientHlakOverride = _ => new byte[32],
        },
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    private static void AssertCryptoBindingRejected(SstpStatusInfo? status)
    {
        Assert.NotNull(status);
        Assert.Equal(SstpAttributeId.CryptoBinding, status.Value.AttributeId);
        Assert.Equal(SstpStatus.ValueNotSupported, status.Value.Status);
        Assert.Equal(0, status.Value.Value.Length);
    }

    private static void AssertNoIpPasses(InMemoryCall call)
    {
        byte[] up = IcmpEcho(InMemoryCall.ClientAddress, InMemoryCall.GatewayAddress, 1, 1);
        Assert.False(call.SendFromClient(up));
        Assert.False(call.SendFromServer(up));
        Assert.False(call.SendFromServerFastPath(up));
        Assert.Empty(call.ServerReceivedIp);
        Assert.Empty(call.ClientReceivedIp);
        Assert.False(call.Server.DataAllowed);
        Assert.False(call.Client.DataAllowed);
        Assert.Equal(0, call.Client.WriteDataPacketHeader(new byte[8], PppProtocol.IPv4, up.Length));
    }

    private static void AssertMethodFailureOnWire(InMemoryCall call, AuthMethod method)
    {
        switch (method)
        {
            case AuthMethod.Pap:
                // RFC 1334 2.2.2 Authenticate-Nak.
                Assert.Single(PppPackets(call, CallSide.Server, PppProtocol.Pap), p => p[0] == 3);
                Assert.StartsWith("PAP Authenticate-Nak", call.ClientAuthFailure);
                break;
            case AuthMethod.ChapMd5:
                Assert.Single(PppPackets(call, CallSide.Server, PppProtocol.Chap), p => p[0] == 4);
                Assert.NotNull(call.ClientAuthFailure);
                break;
            case AuthMethod.MsChapV2:
                Assert.Single(PppPackets(call, CallSide.Server, PppProtocol.Chap), p => p[0] == 4);
                Assert.Contains("E=691 R=0", call.ClientAuthFailure);
                break;
            case AuthMethod.EapMsChapV2:
                // EAP-MSCHAPv2 Failure-Request (type 26, OpCode 4), then EAP Failure (RFC 3748 4.2).
                Assert.Single(PppPackets(call, CallSide.Server, PppProtocol.Eap), p => p[0] == 1 && p.Length > 5 && p[4] == 26 && p[5] == 4);
                byte[] last = PppPackets(call, CallSide.Server, PppProtocol.Eap)[^1];
                Assert.Equal(new byte[] { 4, last[1], 0, 4 }, last);
                Assert.Contains("E=691 R=0", call.ClientAuthFailure);
                break;
        }
    }

    private static void AssertRefusedAndDisconnected(InMemoryCall call)
    {
        Assert.Null(call.ServerHlak);
        Assert.Null(call.ClientHlak);
        Assert.NotNull(call.ClientAuthFailure);
        Assert.Empty(call.Controls(CallSide.Client, SstpMessageType.CallConnected));

        // The server's LCP terminates (Terminate-Request, acknowledged), then SSTP says CALL_DISCONNECT, no abort.
        Assert.Contains(PppPackets(call, CallSide.Server, PppProtocol.Lcp), p => p[0] == 5);
        Assert.Contains(PppPackets(call, CallSide.Client, PppProtocol.Lcp), p => p[0] == 6);
        Assert.True(call.ServerPpp.IsTerminated);
        Assert.NotNull(call.ServerLinkTerminated);
        Assert.Single(call.Controls(CallSide.Server, SstpMessageType.CallDisconnect));
        Assert.Single(call.Controls(CallSide.Server, SstpMessageType.CallDisconnectAck));
        Assert.Empty(call.Controls(CallSide.Server, SstpMessageType.CallAbort));
        Assert.Empty(call.Controls(CallSide.Client, SstpMessageType.CallAbort));
        Assert.Null(call.Server.AbortStatusSent);
        Assert.Equal(SstpState.CallDisconnectTimeoutPending, call.Server.State);
        Assert.Equal(SstpState.CallDisconnectTimeoutPending, call.Client.State);
        Assert.Null(call.ServerNetworkUp);

        // The two CALL_DISCONNECTs crossed: both wait TIMER_VAL_DISCONNECT_STATE_TIMER_2 (1 s).
        call.AdvanceTo(999);
        Assert.False(call.Server.IsClosed);
        call.AdvanceTo(1_000);
        Assert.Equal(1_000, call.ServerClosedAt);
        Assert.Equal(1_000, call.ClientClosedAt);
        Assert.Empty(call.ServerReceivedIp);
    }
}

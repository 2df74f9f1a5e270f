using FsCheck;
using FsCheck.Xunit;
using Gateway.Ppp.Auth;
using Gateway.Sstp;

namespace Gateway.Tests.Sessions;

/// <summary>The whole call does not depend on how TLS/TCP happens to cut the byte stream.</summary>
public class InMemoryCallPropertyTests
{
    private static readonly AuthMethod[] Methods = [AuthMethod.Pap, AuthMethod.ChapMd5, AuthMethod.MsChapV2, AuthMethod.EapMsChapV2];

    [Property(MaxTest = 60)]
    public void Call_connects_whatever_the_split_of_the_byte_stream(NonEmptyArray<PositiveInt> chunkSizes, byte method, int seed)
    {
        // Chunks of 1..97 bytes: most packets (8..120 bytes, one of 1408) arrive in pieces, headers split included.
        int[] sizes = chunkSizes.Get.Select(s => (s.Get % 97) + 1).ToArray();
        int next = 0;
        AuthMethod authMethod = Methods[method % Methods.Length];
        var call = new InMemoryCall(new InMemoryCallOptions
        {
            Method = authMethod,
            Seed = seed,
            ChunkSize = () => sizes[next++ % sizes.Length],
        });
        var whole = new InMemoryCall(new InMemoryCallOptions { Method = authMethod, Seed = seed });

        call.Connect();
        whole.Connect();

        // Each side reads its input in order and nothing depends on the clock, so each side writes exactly the
        // same packets as when every write arrives in one piece.
        Assert.Equal(whole.From(CallSide.Client).Select(p => p.Bytes), call.From(CallSide.Client).Select(p => p.Bytes));
        Assert.Equal(whole.From(CallSide.Server).Select(p => p.Bytes), call.From(CallSide.Server).Select(p => p.Bytes));

        Assert.Equal(SstpHashProtocol.Sha256, call.Server.NegotiatedHashProtocol);
        Assert.Equal(InMemoryCall.User, call.ServerPpp.UserName);
        Assert.Equal(InMemoryCall.ClientAddress, call.ClientPpp.Address);
        Assert.Equal(call.ServerHlak, call.ClientHlak);
        Assert.All(call.Wire, p => Assert.False(p.Dropped));
        InMemoryCallConnectTests.AssertIpFlowsBothWays(call);
        Assert.True(call.ReassembledPackets > 0);
        Assert.Equal(0, whole.ReassembledPackets);

        call.ClientDisconnect("done");
        call.Advance(1_000);
        Assert.True(call.Client.IsClosed);
        Assert.True(call.Server.IsClosed);
        Assert.Null(call.Server.AbortStatusSent);
        Assert.Null(call.Client.AbortStatusSent);
    }
}

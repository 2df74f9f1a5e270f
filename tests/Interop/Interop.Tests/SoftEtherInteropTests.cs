using Xunit.Abstractions;

namespace Interop.Tests;

/// <summary>The real Linux client against SoftEther (bridge mode). The same scenarios will be pointed at the gateway.</summary>
public sealed class SoftEtherInteropTests(ITestOutputHelper output)
{
    private const int MaxAttempts = 4;

    [SoftEtherFact]
    public async Task DirectMsChapV2ConnectPingFetchDisconnect()
    {
        var peer = SoftEtherPeer.Load();
        var (run, retries) = await InteropVm.RunWithRetryAsync(
            peer.Scenario(GuestStep.Ping(5), GuestStep.Fetch(peer.FetchUrl, peer.FetchMd5), GuestStep.Disconnect), MaxAttempts);
        output.WriteLine($"retries={retries}\n{run}");

        Assert.True(run.Completed, run.ToString());
        var connect = run.Find("connect", 0);
        Assert.True(connect is { Ok: true }, run.ToString());
        Assert.Equal(peer.Peer, connect!["peer"]);
        Assert.True(run.Find("ping", 0) is { Ok: true }, run.ToString());
        var fetch = run.Find("fetch", 0);
        Assert.True(fetch is { Ok: true }, run.ToString());
        Assert.Equal(peer.FetchMd5, fetch!["md5"]);
        Assert.Equal(1048576, fetch.Int("bytes"));
        var disconnect = run.Find("disconnect", 0);
        Assert.True(disconnect is { Ok: true }, run.ToString());
        Assert.Equal("yes", disconnect!["terminated"]);
    }

    [SoftEtherFact]
    public async Task PluginModeConnectPingDisconnect()
    {
        var peer = SoftEtherPeer.Load();
        var (run, retries) = await InteropVm.RunWithRetryAsync(
            peer.Scenario(GuestStep.Ping(3), GuestStep.Disconnect) with { Mode = ClientMode.Plugin }, MaxAttempts);
        output.WriteLine($"retries={retries}\n{run}");

        Assert.True(run.Find("connect", 0) is { Ok: true }, run.ToString());
        Assert.True(run.Find("ping", 0) is { Ok: true }, run.ToString());
        Assert.True(run.Find("disconnect", 0) is { Ok: true }, run.ToString());
    }

    [SoftEtherFact]
    public async Task FourParallelSessionsGetDistinctAddresses()
    {
        var peer = SoftEtherPeer.Load();
        var (run, retries) = await InteropVm.RunWithRetryAsync(
            peer.Scenario(GuestStep.Ping(3), GuestStep.Disconnect) with { Sessions = 4 }, MaxAttempts * 2);
        output.WriteLine($"retries={retries}\n{run}");

        var connects = run.All("connect").ToList();
        Assert.Equal(4, connects.Count(c => c.Ok));
        Assert.Equal(4, connects.Select(c => c["addr"]).Distinct().Count());
        Assert.Equal(4, run.All("ping").Count(p => p.Ok));
        Assert.Equal(4, run.All("disconnect").Count(d => d.Ok));
    }

    [SoftEtherFact]
    public async Task WrongPasswordIsAuthFailed()
    {
        var peer = SoftEtherPeer.Load();
        var (run, retries) = await InteropVm.RunWithRetryAsync(
            peer.Scenario(GuestStep.Disconnect) with { Password = "not-the-password" }, MaxAttempts);
        output.WriteLine($"retries={retries}\n{run}");

        Assert.Equal("auth-failed", run.Find("connect", 0)?.Status);
    }
}

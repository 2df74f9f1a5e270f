using Client;
using Gateway.Sstp;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Sessions;

/// <summary>SIGTERM ends every session the clean way (LCP Terminate, CALL_DISCONNECT) and the process exits.</summary>
public sealed class GatewayShutdownTests
{
    [Fact]
    public async Task SIGTERM_disconnects_clients_cleanly_and_exits()
    {
        using NetNs gw = NetNs.Create("term");
        using GatewayProcess gateway = await GatewayProcess.StartAsync(gw.Name, "10.216.1.0/24",
            new Dictionary<string, string> { ["Sessions:ShutdownGraceMs"] = "8000" });
        var clients = new List<SstpTunnelClient>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                clients.Add(await SstpTunnelClient.ConnectAsync(new SstpClientSettings
                {
                    Host = "127.0.0.1",
                    Port = gateway.Port,
                    User = GatewayHarness.User,
                    Password = GatewayHarness.Password,
                    SkipCertificateValidation = true,
                }));
            }

            gateway.Signal("TERM");
            foreach (SstpTunnelClient c in clients)
            {
                Task done = await Task.WhenAny(c.Completion, Task.Delay(TimeSpan.FromSeconds(15)));
                Assert.True(done == c.Completion, "client still connected 15 s after SIGTERM");
                // The server's CALL_DISCONNECT (after its LCP Terminate-Request), not a dropped connection.
                Assert.Equal("disconnected by peer", c.CloseReason);
                Assert.Equal(SstpState.Closed, c.State);
            }

            Assert.True(await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)), "gateway did not exit:\n" + gateway.Output);
            Assert.Equal(0, gateway.ExitCode);
            Assert.Contains("gateway shutting down", gateway.Output);
        }
        finally
        {
            foreach (SstpTunnelClient c in clients)
            {
                await c.DisposeAsync();
            }
        }
    }
}

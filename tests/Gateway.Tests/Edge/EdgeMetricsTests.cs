using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Gateway.Edge;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Edge;

/// <summary>The Gateway.Edge meter counts what the edge did, with the reason as the only tag on rejections.</summary>
public class EdgeMetricsTests
{
    [Fact]
    public async Task Counters_FollowHandshakes_SstpAccepts_PassThroughs_AndRejections()
    {
        await using var host = await EdgeTestHost.StartAsync();
        object scope = host.Services.GetRequiredService<IMeterFactory>();
        var counts = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EdgeMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string key = instrument.Name;
            foreach (var tag in tags)
            {
                key += $"|{tag.Key}={tag.Value}";
            }

            counts.AddOrUpdate(key, value, (_, old) => old + value);
        });
        listener.Start();

        // One SSTP session, one HTTP request, one 404 on a wrong SSTP URI, one failed handshake (TLS 1.1).
        var (tcp, tls) = await host.ConnectTlsAsync();
        using (tcp)
        await using (tls)
        {
            await tls.WriteAsync(Encoding.ASCII.GetBytes(SstpRequestHeadParserTests.WindowsHead));
            await EdgeTestHost.ReadHeadAsync(tls);
        }

        using (HttpClient client = EdgeTestHost.HttpsClient(host.Service))
        {
            await client.GetAsync("/");
        }

        var (tcp2, tls2) = await host.ConnectTlsAsync();
        using (tcp2)
        await using (tls2)
        {
            await tls2.WriteAsync(Encoding.ASCII.GetBytes("SSTP_DUPLEX_POST /x HTTP/1.1\r\n\r\n"));
            await EdgeTestHost.ReadToEndAsync(tls2);
        }

        await TlsClientHello.ExchangeAsync(host.Service, TlsClientHello.Build(TlsClientHello.Tls11, TlsClientHello.CbcSuites));

        for (int i = 0; i < 100 && counts.GetValueOrDefault("gateway.edge.tls.handshakes|result=failed") == 0; i++)
        {
            await Task.Delay(50); // the failure is counted when the server side of the connection ends
        }

        Assert.Equal(3, counts.GetValueOrDefault("gateway.edge.tls.handshakes|result=ok"));
        Assert.Equal(1, counts.GetValueOrDefault("gateway.edge.tls.handshakes|result=failed"));
        Assert.Equal(1, counts.GetValueOrDefault("gateway.edge.sstp.accepted"));
        Assert.Equal(1, counts.GetValueOrDefault("gateway.edge.http.passed_through"));
        Assert.Equal(1, counts.GetValueOrDefault("gateway.edge.rejected|reason=not_found"));
    }
}

using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Edge;

/// <summary>The YARP fallback shares port 443 with a website.</summary>
public class EdgeFallbackEndToEndTests
{
    [Fact]
    public async Task NonSstpRequests_AreForwardedToTheFallback_TheProbeStaysLocal()
    {
        await using WebApplication site = await StartSiteAsync();
        string siteAddress = Address(site);

        await using var host = await EdgeTestHost.StartAsync(new() { ["Edge:Fallback:Destination"] = siteAddress + "/" });
        using HttpClient client = EdgeTestHost.HttpsClient(host.Service);

        HttpResponseMessage page = await client.GetAsync("/blog/post?id=3");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("site GET /blog/post?id=3", await page.Content.ReadAsStringAsync());

        HttpResponseMessage post = await client.PostAsync("/form", new StringContent("x"));
        Assert.Equal("site POST /form", await post.Content.ReadAsStringAsync());

        HttpResponseMessage forwarded = await client.GetAsync("/xff");
        Assert.Equal("127.0.0.1", await forwarded.Content.ReadAsStringAsync());

        HttpResponseMessage probe = await client.GetAsync("/sstp-health");
        Assert.Equal("ok\n", await probe.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ProxyProtocolSource_IsTheHttpRemoteAddress()
    {
        await using WebApplication site = await StartSiteAsync();
        await using var host = await EdgeTestHost.StartAsync(new()
        {
            ["Edge:Fallback:Destination"] = Address(site) + "/",
            ["Edge:ProxyProtocol:TrustedProxies:0"] = "127.0.0.1",
        });
        var (tcp, tls) = await host.ConnectTlsAsync(beforeTls: System.Text.Encoding.ASCII.GetBytes("PROXY TCP4 198.51.100.9 127.0.0.1 33333 443\r\n"));
        using (tcp)
        await using (tls)
        {
            await tls.WriteAsync(System.Text.Encoding.ASCII.GetBytes("GET /xff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
            string response = System.Text.Encoding.ASCII.GetString(await EdgeTestHost.ReadToEndAsync(tls));
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", response);
            Assert.EndsWith("\r\n\r\nc\r\n198.51.100.9\r\n0\r\n\r\n", response); // chunked body: the PROXY source
        }
    }

    private static string Address(WebApplication site) =>
        site.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

    private static async Task<WebApplication> StartSiteAsync()
    {
        var siteBuilder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = EdgeTestHost.NewTempDirectory() });
        siteBuilder.Logging.ClearProviders();
        siteBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        WebApplication site = siteBuilder.Build();
        site.Run(context => context.Request.Path == "/xff"
            ? context.Response.WriteAsync(context.Request.Headers["X-Forwarded-For"].ToString())
            : context.Response.WriteAsync($"site {context.Request.Method} {context.Request.Path}{context.Request.QueryString}"));
        await site.StartAsync();
        return site;
    }
}

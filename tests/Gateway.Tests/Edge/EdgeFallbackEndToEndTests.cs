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
        var siteBuilder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = EdgeTestHost.NewTempDirectory() });
        siteBuilder.Logging.ClearProviders();
        siteBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        await using WebApplication site = siteBuilder.Build();
        site.Run(context => context.Response.WriteAsync($"site {context.Request.Method} {context.Request.Path}{context.Request.QueryString}"));
        await site.StartAsync();
        string siteAddress = site.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        await using var host = await EdgeTestHost.StartAsync(new() { ["Edge:Fallback:Destination"] = siteAddress + "/" });
        using HttpClient client = EdgeTestHost.HttpsClient(host.Service);

        HttpResponseMessage page = await client.GetAsync("/blog/post?id=3");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("site GET /blog/post?id=3", await page.Content.ReadAsStringAsync());

        HttpResponseMessage post = await client.PostAsync("/form", new StringContent("x"));
        Assert.Equal("site POST /form", await post.Content.ReadAsStringAsync());

        HttpResponseMessage probe = await client.GetAsync("/sstp-health");
        Assert.Equal("ok\n", await probe.Content.ReadAsStringAsync());
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Admin.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Admin.Tests.Api;

public sealed class AuditLogTests
{
    [Fact]
    public async Task Changes_are_logged_with_the_key_index_and_never_the_key_or_password()
    {
        var logs = new CapturingLoggerProvider("Admin.AdminApi");
        await using var host = await AdminApiHost.StartAsync(logger: logs);
        using var second = new HttpClient { BaseAddress = host.ManagementBase };
        second.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminApiHost.SecondKey);

        using var create = await second.PostAsJsonAsync("/api/v1/users", new { name = "erin", password = "erin-secret-pw" });
        using var disconnect = await host.Client.DeleteAsync("/api/v1/sessions/s-9?reason=test");
        using var drain = await host.Client.PostAsJsonAsync("/api/v1/nodes/gw-1/drain", new { deadlineSeconds = 1 });
        using var wrongKey = new HttpClient { BaseAddress = host.ManagementBase };
        wrongKey.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-key-at-all-0000");
        using var refused = await wrongKey.GetAsync("/api/v1/pool");

        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, disconnect.StatusCode);
        Assert.Equal(HttpStatusCode.OK, drain.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(
            [
                (9010, LogLevel.Information, "Admin api-key-1: add user erin -> Ok"),
                (9010, LogLevel.Information, "Admin api-key-0: disconnect session s-9 -> NotFound"),
                (9010, LogLevel.Information, "Admin api-key-0: drain node gw-1 -> Ok"),
                (9001, LogLevel.Warning, "Admin API authentication failed from 127.0.0.1: unknown API key"),
            ],
            logs.Entries.Where(e => e.Id.Id is 9010 or 9001).Select(e => (e.Id.Id, e.Level, e.Message)).ToArray());
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("erin-secret-pw", StringComparison.Ordinal)
            || e.Message.Contains(AdminApiHost.Key, StringComparison.Ordinal)
            || e.Message.Contains("not-the-key-at-all", StringComparison.Ordinal));
    }
}

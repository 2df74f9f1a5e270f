using System.Net;
using System.Net.Http.Json;
using System.Text;
using Admin.Tests.Infrastructure;

namespace Admin.Tests.Api;

public sealed class NodeEndpointsTests : IAsyncLifetime
{
    private const string Gw0 = """{"id":"gw-0","address":"10.0.3.10","startedAt":"2026-11-25T10:00:00+00:00","lastHeartbeat":"2026-11-25T10:59:00+00:00","draining":false,"drainDeadline":null,"sessionCount":2}""";
    private const string Gw1 = """{"id":"gw-1","address":"10.0.3.11","startedAt":"2026-11-25T10:05:00+00:00","lastHeartbeat":"2026-11-25T10:59:30+00:00","draining":false,"drainDeadline":null,"sessionCount":1}""";

    private AdminApiHost _host = null!;

    public async Task InitializeAsync() => _host = await AdminApiHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task List_returns_every_node()
    {
        using var response = await _host.Client.GetAsync("/api/v1/nodes");

        await HttpAssert.JsonAsync(response, HttpStatusCode.OK, $"[{Gw0},{Gw1}]");
    }

    [Fact]
    public async Task Drain_with_seconds_sets_deadline_relative_to_now()
    {
        // The host's clock stands at 11:00:00.
        using var response = await _host.Client.PostAsJsonAsync("/api/v1/nodes/gw-1/drain", new { deadlineSeconds = 600 });

        await HttpAssert.JsonAsync(response, HttpStatusCode.OK, Gw1.Replace("\"draining\":false,\"drainDeadline\":null", "\"draining\":true,\"drainDeadline\":\"2026-11-25T11:10:00+00:00\""));
        using var list = await _host.Client.GetAsync("/api/v1/nodes");
        Assert.Contains("\"draining\":true,\"drainDeadline\":\"2026-11-25T11:10:00+00:00\"", await list.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Drain_with_zero_seconds_disconnects_now()
    {
        using var response = await _host.Client.PostAsJsonAsync("/api/v1/nodes/gw-0/drain", new { deadlineSeconds = 0 });

        await HttpAssert.JsonAsync(response, HttpStatusCode.OK, Gw0.Replace("\"draining\":false,\"drainDeadline\":null", "\"draining\":true,\"drainDeadline\":\"2026-11-25T11:00:00+00:00\""));
    }

    [Fact]
    public async Task Drain_with_absolute_deadline_keeps_it()
    {
        using var response = await _host.Client.PostAsJsonAsync("/api/v1/nodes/gw-0/drain", new { deadline = "2026-11-25T12:30:00+01:00" });

        await HttpAssert.JsonAsync(response, HttpStatusCode.OK, Gw0.Replace("\"draining\":false,\"drainDeadline\":null", "\"draining\":true,\"drainDeadline\":\"2026-11-25T12:30:00+01:00\""));
    }

    [Theory]
    [InlineData("""{"deadlineSeconds":-1}""", "deadlineSeconds", "The deadline must be 0-86400 seconds.")]
    [InlineData("""{"deadlineSeconds":86401}""", "deadlineSeconds", "The deadline must be 0-86400 seconds.")]
    [InlineData("""{}""", "deadlineSeconds", "Give exactly one of deadlineSeconds and deadline.")]
    [InlineData("""{"deadlineSeconds":5,"deadline":"2026-11-25T11:05:00Z"}""", "deadlineSeconds", "Give exactly one of deadlineSeconds and deadline.")]
    [InlineData("""{"deadline":"2026-11-25T10:59:59Z"}""", "deadline", "The deadline must be between now and 86400 seconds from now.")]
    [InlineData("""{"deadline":"2026-11-26T11:00:01Z"}""", "deadline", "The deadline must be between now and 86400 seconds from now.")]
    [InlineData("""{"deadlineSeconds":"soon"}""", "deadlineSeconds", "The value has the wrong type or is not valid JSON.")]
    [InlineData("""{"deadlineSeconds":1.5}""", "deadlineSeconds", "The value has the wrong type or is not valid JSON.")]
    [InlineData("""{"deadlineSeconds":""", "deadlineSeconds", "The value has the wrong type or is not valid JSON.")]
    [InlineData("""not json""", "body", "The body is not a valid JSON object.")]
    [InlineData("""null""", "body", "A JSON object is required.")]
    public async Task Drain_rejects_invalid_body_with_field_error(string json, string field, string message)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _host.Client.PostAsync("/api/v1/nodes/gw-0/drain", content);

        await HttpAssert.ValidationAsync(response, (field, message));
    }

    [Fact]
    public async Task Drain_accepts_the_86400_second_limit()
    {
        using var response = await _host.Client.PostAsJsonAsync("/api/v1/nodes/gw-0/drain", new { deadlineSeconds = 86400 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"drainDeadline\":\"2026-11-26T11:00:00+00:00\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Drain_without_json_content_type_is_415_problem()
    {
        using var content = new StringContent("""{"deadlineSeconds":5}""", Encoding.UTF8, "text/plain");
        using var response = await _host.Client.PostAsync("/api/v1/nodes/gw-0/drain", content);

        await HttpAssert.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "Unsupported Media Type");
    }

    [Fact]
    public async Task Drain_unknown_node_is_404_problem()
    {
        using var response = await _host.Client.PostAsJsonAsync("/api/v1/nodes/gw-9/drain", new { deadlineSeconds = 5 });

        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound, "Not Found");
        Assert.Equal("Node 'gw-9' does not exist.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Undrain_clears_the_drain()
    {
        using var drain = await _host.Client.PostAsJsonAsync("/api/v1/nodes/gw-0/drain", new { deadlineSeconds = 60 });
        using var response = await _host.Client.PostAsync("/api/v1/nodes/gw-0/undrain", null);

        Assert.Equal(HttpStatusCode.OK, drain.StatusCode);
        await HttpAssert.JsonAsync(response, HttpStatusCode.OK, Gw0);
    }

    [Fact]
    public async Task Undrain_unknown_node_is_404_problem()
    {
        using var response = await _host.Client.PostAsync("/api/v1/nodes/gw-9/undrain", null);

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound, "Not Found");
    }

    [Fact]
    public async Task Store_unavailable_is_503_problem()
    {
        _host.Backend.StoreDown = true;

        using var list = await _host.Client.GetAsync("/api/v1/nodes");
        using var drain = await _host.Client.PostAsJsonAsync("/api/v1/nodes/gw-0/drain", new { deadlineSeconds = 5 });
        using var undrain = await _host.Client.PostAsync("/api/v1/nodes/gw-0/undrain", null);

        await HttpAssert.ProblemAsync(list, HttpStatusCode.ServiceUnavailable, "Session Store Unavailable");
        await HttpAssert.ProblemAsync(drain, HttpStatusCode.ServiceUnavailable, "Session Store Unavailable");
        await HttpAssert.ProblemAsync(undrain, HttpStatusCode.ServiceUnavailable, "Session Store Unavailable");
    }
}

using System.Net;
using Admin.Backend;
using Admin.Tests.Infrastructure;

namespace Admin.Tests.Api;

public sealed class SessionEndpointsTests : IAsyncLifetime
{
    private const string S1 = """{"id":"s-1","user":"alice","nodeId":"gw-0","state":"Established","clientAddress":"203.0.113.7:51234","innerAddress":"10.8.0.10","authMethod":"MsChapV2","startedAt":"2026-11-25T10:10:00+00:00","innerIpv6Prefix":null}""";
    private const string S2 = """{"id":"s-2","user":"bob","nodeId":"gw-0","state":"Established","clientAddress":"198.51.100.2:40000","innerAddress":"10.8.0.11","authMethod":"Pap","startedAt":"2026-11-25T10:20:00+00:00","innerIpv6Prefix":null}""";
    private const string S3 = """{"id":"s-3","user":null,"nodeId":"gw-1","state":"Authenticating","clientAddress":"192.0.2.1:1024","innerAddress":null,"authMethod":null,"startedAt":"2026-11-25T10:30:00+00:00","innerIpv6Prefix":null}""";

    private AdminApiHost _host = null!;

    public async Task InitializeAsync() => _host = await AdminApiHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task List_without_filters_returns_first_page_with_default_limit()
    {
        using var response = await _host.Client.GetAsync("/api/v1/sessions");

        await HttpAssert.JsonAsync(response, HttpStatusCode.OK, $$"""{"items":[{{S1}},{{S2}},{{S3}}],"total":3,"limit":100,"offset":0}""");
        Assert.Equal(new SessionQuery(null, null, null, null, 100, 0), _host.Backend.LastQuery);
    }

    [Fact]
    public async Task List_passes_every_filter_to_the_backend()
    {
        using var response = await _host.Client.GetAsync("/api/v1/sessions?user=Alice&node=gw-0&state=established&innerAddress=10.8.0.10&limit=5&offset=0");

        await HttpAssert.JsonAsync(response, HttpStatusCode.OK, $$"""{"items":[{{S1}}],"total":1,"limit":5,"offset":0}""");
        Assert.Equal(new SessionQuery("Alice", "gw-0", SessionState.Established, "10.8.0.10", 5, 0), _host.Backend.LastQuery);
    }

    [Fact]
    public async Task List_pages_with_limit_and_offset()
    {
        using var response = await _host.Client.GetAsync("/api/v1/sessions?limit=1&offset=1");

        await HttpAssert.JsonAsync(response, HttpStatusCode.OK, $$"""{"items":[{{S2}}],"total":3,"limit":1,"offset":1}""");
    }

    [Theory]
    [InlineData("limit=0", "limit", "The limit must be an integer 1-1000.")]
    [InlineData("limit=1001", "limit", "The limit must be an integer 1-1000.")]
    [InlineData("limit=abc", "limit", "The limit must be an integer 1-1000.")]
    [InlineData("limit=-5", "limit", "The limit must be an integer 1-1000.")]
    [InlineData("offset=-1", "offset", "The offset must be a non-negative integer.")]
    [InlineData("state=Open", "state", "The state must be one of Negotiating, Authenticating, Established, Disconnecting.")]
    [InlineData("state=2", "state", "The state must be one of Negotiating, Authenticating, Established, Disconnecting.")]
    [InlineData("innerAddress=10.8.0", "innerAddress", "The inner address must be a dotted-quad IPv4 address.")]
    [InlineData("innerAddress=fd00::1", "innerAddress", "The inner address must be a dotted-quad IPv4 address.")]
    [InlineData("user=", "user", "The user filter must be 1-256 characters without control characters.")]
    [InlineData("node=a%01b", "node", "The node filter must be 1-256 characters without control characters.")]
    public async Task List_rejects_invalid_query_with_field_error(string query, string field, string message)
    {
        using var response = await _host.Client.GetAsync("/api/v1/sessions?" + query);

        await HttpAssert.ValidationAsync(response, (field, message));
        Assert.Null(_host.Backend.LastQuery);
    }

    [Fact]
    public async Task List_reports_every_invalid_field_at_once()
    {
        using var response = await _host.Client.GetAsync("/api/v1/sessions?limit=0&offset=x&state=nope");

        await HttpAssert.ValidationAsync(
            response,
            ("limit", "The limit must be an integer 1-1000."),
            ("offset", "The offset must be a non-negative integer."),
            ("state", "The state must be one of Negotiating, Authenticating, Established, Disconnecting."));
    }

    [Fact]
    public async Task Get_returns_the_session()
    {
        using var response = await _host.Client.GetAsync("/api/v1/sessions/s-3");

        await HttpAssert.JsonAsync(response, HttpStatusCode.OK, S3);
    }

    [Fact]
    public async Task Get_unknown_session_is_404_problem()
    {
        using var response = await _host.Client.GetAsync("/api/v1/sessions/s-404");

        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound, "Not Found");
        Assert.Equal("Session 's-404' does not exist.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Delete_asks_the_backend_to_disconnect_with_the_reason()
    {
        using var response = await _host.Client.DeleteAsync("/api/v1/sessions/s-2?reason=contract%20ended");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
        Assert.Equal([("s-2", (string?)"contract ended")], _host.Backend.Disconnects);
    }

    [Fact]
    public async Task Delete_without_reason_passes_null()
    {
        using var response = await _host.Client.DeleteAsync("/api/v1/sessions/s-1");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal([("s-1", (string?)null)], _host.Backend.Disconnects);
    }

    [Fact]
    public async Task Delete_with_a_201_character_reason_is_rejected()
    {
        using var ok = await _host.Client.DeleteAsync("/api/v1/sessions/s-1?reason=" + new string('r', 200));
        using var response = await _host.Client.DeleteAsync("/api/v1/sessions/s-1?reason=" + new string('r', 201));

        Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        await HttpAssert.ValidationAsync(response, ("reason", "The reason must be at most 200 characters."));
        Assert.Single(_host.Backend.Disconnects);
    }

    [Fact]
    public async Task Delete_unknown_session_is_404_problem()
    {
        using var response = await _host.Client.DeleteAsync("/api/v1/sessions/s-404?reason=x");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound, "Not Found");
        Assert.Empty(_host.Backend.Disconnects);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Store_unavailable_is_503_problem(bool thrown)
    {
        _host.Backend.StoreDown = true;
        _host.Backend.ThrowWhenDown = thrown;

        using var list = await _host.Client.GetAsync("/api/v1/sessions");
        using var get = await _host.Client.GetAsync("/api/v1/sessions/s-1");
        using var delete = await _host.Client.DeleteAsync("/api/v1/sessions/s-1");

        foreach (var response in new[] { list, get, delete })
        {
            var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "Session Store Unavailable");
            Assert.Equal("Redis at 10.0.9.9:6379 did not answer within 5000 ms.", problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task Unknown_api_path_is_404_problem()
    {
        using var response = await _host.Client.GetAsync("/api/v1/sessionz");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound, "Not Found");
    }
}

using System.Net;
using System.Net.Http.Headers;
using Admin.Tests.Infrastructure;

namespace Admin.Tests.Security;

public sealed class AuthenticationTests : IAsyncLifetime
{
    private AdminApiHost _host = null!;

    public static TheoryData<string, string> AllEndpoints => new()
    {
        { "GET", "/api/v1/sessions" },
        { "GET", "/api/v1/sessions/s-1" },
        { "DELETE", "/api/v1/sessions/s-1" },
        { "GET", "/api/v1/nodes" },
        { "POST", "/api/v1/nodes/gw-0/drain" },
        { "POST", "/api/v1/nodes/gw-0/undrain" },
        { "GET", "/api/v1/pool" },
        { "GET", "/api/v1/users" },
        { "POST", "/api/v1/users" },
        { "PUT", "/api/v1/users/bob/password" },
        { "DELETE", "/api/v1/users/bob" },
        { "GET", "/api/v1/no-such-thing" },
    };

    public async Task InitializeAsync() => _host = await AdminApiHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [MemberData(nameof(AllEndpoints))]
    public async Task Every_endpoint_without_key_is_401_with_bearer_challenge(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        using var response = await _host.Anonymous.SendAsync(request);

        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.Equal("Send 'Authorization: Bearer <api key>'.", problem.GetProperty("detail").GetString());
        Assert.Equal("Bearer realm=\"sstp-gateway-admin\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        Assert.Empty(_host.Backend.Disconnects);
        Assert.Equal(2, _host.Backend.Users.Count);
    }

    [Theory]
    [MemberData(nameof(AllEndpoints))]
    public async Task Every_endpoint_with_wrong_key_is_401_invalid_token(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminApiHost.Key + "x");
        using var response = await _host.Anonymous.SendAsync(request);

        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.Equal("The API key is not valid.", problem.GetProperty("detail").GetString());
        Assert.Equal("Bearer realm=\"sstp-gateway-admin\", error=\"invalid_token\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        Assert.Empty(_host.Backend.Disconnects);
        Assert.Equal(2, _host.Backend.Users.Count);
    }

    [Theory]
    [InlineData("Basic dGVzdDp0ZXN0")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearertest-key-0123456789abcdef")]
    [InlineData("Bearer test-key-0123456789abcdef extra")]
    public async Task Malformed_authorization_header_is_401(string header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/pool");
        request.Headers.TryAddWithoutValidation("Authorization", header);
        using var response = await _host.Anonymous.SendAsync(request);

        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.Equal("The Authorization header must be 'Bearer <api key>'.", problem.GetProperty("detail").GetString());
        Assert.Equal("Bearer realm=\"sstp-gateway-admin\", error=\"invalid_token\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Theory]
    [InlineData("Bearer " + AdminApiHost.Key)]
    [InlineData("bearer " + AdminApiHost.Key)]
    [InlineData("Bearer " + AdminApiHost.SecondKey)]
    public async Task Configured_key_is_accepted(string header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/pool");
        request.Headers.TryAddWithoutValidation("Authorization", header);
        using var response = await _host.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Key_prefix_is_refused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/pool");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminApiHost.Key[..^1]);
        using var response = await _host.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Swagger_is_served_without_key()
    {
        using var response = await _host.Anonymous.GetAsync("/swagger/v1/swagger.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

using System.Net;
using System.Text.Json;
using Admin.Tests.Infrastructure;

namespace Admin.Tests.OpenApi;

public sealed class OpenApiDocumentTests : IAsyncLifetime
{
    private AdminApiHost _host = null!;

    public async Task InitializeAsync() => _host = await AdminApiHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Document_lists_exactly_the_admin_operations()
    {
        JsonElement document = await GetDocumentAsync();

        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => op.Name.ToUpperInvariant() + " " + path.Name))
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(
            [
                "DELETE /api/v1/sessions/{id}",
                "DELETE /api/v1/users/{name}",
                "GET /api/v1/nodes",
                "GET /api/v1/pool",
                "GET /api/v1/sessions",
                "GET /api/v1/sessions/{id}",
                "GET /api/v1/users",
                "POST /api/v1/nodes/{id}/drain",
                "POST /api/v1/nodes/{id}/undrain",
                "POST /api/v1/users",
                "PUT /api/v1/users/{name}/password",
            ],
            operations);
    }

    [Fact]
    public async Task Every_operation_has_a_summary_its_responses_and_the_bearer_requirement()
    {
        JsonElement document = await GetDocumentAsync();
        var expectedResponses = new Dictionary<string, string[]>
        {
            ["GET /api/v1/sessions"] = ["200", "400", "401", "503"],
            ["GET /api/v1/sessions/{id}"] = ["200", "401", "404", "503"],
            ["DELETE /api/v1/sessions/{id}"] = ["202", "400", "401", "404", "503"],
            ["GET /api/v1/nodes"] = ["200", "401", "503"],
            ["POST /api/v1/nodes/{id}/drain"] = ["200", "400", "401", "404", "415", "503"],
            ["POST /api/v1/nodes/{id}/undrain"] = ["200", "401", "404", "503"],
            ["GET /api/v1/pool"] = ["200", "401", "503"],
            ["GET /api/v1/users"] = ["200", "401", "503"],
            ["POST /api/v1/users"] = ["201", "400", "401", "409", "415", "503"],
            ["PUT /api/v1/users/{name}/password"] = ["204", "400", "401", "404", "415", "503"],
            ["DELETE /api/v1/users/{name}"] = ["204", "400", "401", "404", "503"],
        };

        foreach (JsonProperty path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (JsonProperty operation in path.Value.EnumerateObject())
            {
                string key = operation.Name.ToUpperInvariant() + " " + path.Name;
                Assert.False(string.IsNullOrWhiteSpace(operation.Value.GetProperty("summary").GetString()), key);
                string[] responses = operation.Value.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal).ToArray();
                Assert.True(expectedResponses[key].SequenceEqual(responses), $"{key}: {string.Join(",", responses)}");
            }
        }

        JsonElement scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        JsonElement requirement = Assert.Single(document.GetProperty("security").EnumerateArray().ToArray());
        Assert.Equal(0, requirement.GetProperty("bearer").GetArrayLength());
    }

    [Fact]
    public async Task Success_and_error_bodies_are_typed()
    {
        JsonElement paths = (await GetDocumentAsync()).GetProperty("paths");

        Assert.Equal("#/components/schemas/SessionPage", Schema(paths, "/api/v1/sessions", "get", "200", "application/json").GetProperty("$ref").GetString());
        Assert.Equal("#/components/schemas/NodeInfo", Schema(paths, "/api/v1/nodes/{id}/drain", "post", "200", "application/json").GetProperty("$ref").GetString());
        Assert.Equal("#/components/schemas/LocalUserInfo", Schema(paths, "/api/v1/users", "post", "201", "application/json").GetProperty("$ref").GetString());
        Assert.Equal("#/components/schemas/HttpValidationProblemDetails", Schema(paths, "/api/v1/users", "post", "400", "application/problem+json").GetProperty("$ref").GetString());
        Assert.Equal("#/components/schemas/ProblemDetails", Schema(paths, "/api/v1/users", "post", "409", "application/problem+json").GetProperty("$ref").GetString());

        JsonElement body = paths.GetProperty("/api/v1/users").GetProperty("post").GetProperty("requestBody");
        Assert.True(body.GetProperty("required").GetBoolean());
        Assert.Equal("#/components/schemas/CreateUserRequest", body.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        JsonElement drainBody = paths.GetProperty("/api/v1/nodes/{id}/drain").GetProperty("post").GetProperty("requestBody");
        Assert.Equal("#/components/schemas/DrainRequest", drainBody.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());

        string[] listParameters = paths.GetProperty("/api/v1/sessions").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .Select(p => p.GetProperty("name").GetString() + ":" + p.GetProperty("in").GetString()).ToArray();
        Assert.Equal(["user:query", "node:query", "state:query", "innerAddress:query", "limit:query", "offset:query"], listParameters);
        Assert.Equal("Page size, 1-1000 (default 100).", paths.GetProperty("/api/v1/sessions").GetProperty("get").GetProperty("parameters")[4].GetProperty("description").GetString());
    }

    [Fact]
    public async Task Schemas_carry_descriptions_and_required_members()
    {
        JsonElement schemas = (await GetDocumentAsync()).GetProperty("components").GetProperty("schemas");

        JsonElement createUser = schemas.GetProperty("CreateUserRequest");
        Assert.Equal(["name", "password"], createUser.GetProperty("required").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("8-256 characters.", createUser.GetProperty("properties").GetProperty("password").GetProperty("description").GetString());
        Assert.Equal(
            ["Negotiating", "Authenticating", "Established", "Disconnecting"],
            schemas.GetProperty("SessionState").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.True(schemas.GetProperty("NodeInfo").GetProperty("properties").GetProperty("drainDeadline").GetProperty("nullable").GetBoolean());
    }

    [Fact]
    public async Task Swagger_ui_is_served()
    {
        using var index = await _host.Anonymous.GetAsync("/swagger/index.html");
        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _host.ManagementBase };
        using var root = await noRedirect.GetAsync("/swagger");

        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        Assert.Contains("SSTP gateway admin API", await index.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.MovedPermanently, root.StatusCode);
        Assert.Equal("swagger/index.html", root.Headers.Location?.OriginalString);
    }

    private static JsonElement Schema(JsonElement paths, string path, string method, string status, string mediaType) =>
        paths.GetProperty(path).GetProperty(method).GetProperty("responses").GetProperty(status)
            .GetProperty("content").GetProperty(mediaType).GetProperty("schema");

    private async Task<JsonElement> GetDocumentAsync()
    {
        using var response = await _host.Anonymous.GetAsync("/swagger/v1/swagger.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}

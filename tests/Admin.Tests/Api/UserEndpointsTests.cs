using System.Net;
using System.Net.Http.Json;
using System.Text;
using Admin.Tests.Infrastructure;

namespace Admin.Tests.Api;

public sealed class UserEndpointsTests : IAsyncLifetime
{
    private AdminApiHost _host = null!;

    public async Task InitializeAsync() => _host = await AdminApiHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task List_returns_names_and_flags_without_secrets()
    {
        using var response = await _host.Client.GetAsync("/api/v1/users");

        await HttpAssert.JsonAsync(response, HttpStatusCode.OK, """[{"name":"alice","chapMd5":false,"disabled":false},{"name":"bob","chapMd5":true,"disabled":false}]""");
    }

    [Fact]
    public async Task Create_returns_201_with_location_and_stores_the_password()
    {
        using var response = await _host.Client.PostAsJsonAsync("/api/v1/users", new { name = "carol smith", password = "correct horse", chapMd5 = true });

        await HttpAssert.JsonAsync(response, HttpStatusCode.Created, """{"name":"carol smith","chapMd5":true,"disabled":false}""");
        Assert.Equal("/api/v1/users/carol%20smith", response.Headers.Location?.OriginalString);
        Assert.Equal("correct horse", _host.Backend.Users["carol smith"].Password);
    }

    [Fact]
    public async Task Create_defaults_chap_md5_to_false()
    {
        using var response = await _host.Client.PostAsJsonAsync("/api/v1/users", new { name = "dave", password = "12345678" });

        await HttpAssert.JsonAsync(response, HttpStatusCode.Created, """{"name":"dave","chapMd5":false,"disabled":false}""");
    }

    [Fact]
    public async Task Create_existing_user_is_409_problem()
    {
        using var response = await _host.Client.PostAsJsonAsync("/api/v1/users", new { name = "ALICE", password = "another-password" });

        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.Conflict, "Conflict");
        Assert.Equal("User 'ALICE' already exists.", problem.GetProperty("detail").GetString());
        Assert.Equal("alice-password", _host.Backend.Users["alice"].Password);
    }

    public static TheoryData<string, string, string> InvalidCreateBodies => new()
    {
        { """{"password":"12345678"}""", "name", "The user name is required." },
        { """{"name":"","password":"12345678"}""", "name", "The user name is required." },
        { "{\"name\":\"" + new string('u', 65) + "\",\"password\":\"12345678\"}", "name", "The user name must be at most 64 characters." },
        { """{"name":"CORP\\alice","password":"12345678"}""", "name", "The user name must not contain '\\' (give it without a domain)." },
        { """{"name":"ali\u0007ce","password":"12345678"}""", "name", "The user name must not contain control characters." },
        { """{"name":"erin"}""", "password", "The password is required." },
        { """{"name":"erin","password":"1234567"}""", "password", "The password must be 8-256 characters." },
        { "{\"name\":\"erin\",\"password\":\"" + new string('p', 257) + "\"}", "password", "The password must be 8-256 characters." },
        { """{"name":"erin","password":12345678}""", "password", "The value has the wrong type or is not valid JSON." },
        { """{"name":"erin","password":"12345678","chapMd5":"yes"}""", "chapMd5", "The value has the wrong type or is not valid JSON." },
        { """[1,2]""", "body", "The body is not a valid JSON object." },
    };

    [Theory]
    [MemberData(nameof(InvalidCreateBodies))]
    public async Task Create_rejects_invalid_input_with_field_error(string json, string field, string message)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _host.Client.PostAsync("/api/v1/users", content);

        await HttpAssert.ValidationAsync(response, (field, message));
        Assert.Equal(2, _host.Backend.Users.Count);
    }

    [Fact]
    public async Task Create_accepts_the_length_limits()
    {
        string name = new('u', 64);
        using var response = await _host.Client.PostAsJsonAsync("/api/v1/users", new { name, password = new string('p', 256) });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(new string('p', 256), _host.Backend.Users[name].Password);
    }

    [Fact]
    public async Task Create_reports_name_and_password_errors_together()
    {
        using var response = await _host.Client.PostAsJsonAsync("/api/v1/users", new { name = "a\\b", password = "short" });

        await HttpAssert.ValidationAsync(
            response,
            ("name", "The user name must not contain '\\' (give it without a domain)."),
            ("password", "The password must be 8-256 characters."));
    }

    [Fact]
    public async Task Set_password_returns_204_and_changes_it()
    {
        using var response = await _host.Client.PutAsJsonAsync("/api/v1/users/Bob/password", new { password = "new-password" });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("new-password", _host.Backend.Users["bob"].Password);
    }

    [Fact]
    public async Task Set_password_of_unknown_user_is_404_problem()
    {
        using var response = await _host.Client.PutAsJsonAsync("/api/v1/users/zed/password", new { password = "new-password" });

        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound, "Not Found");
        Assert.Equal("User 'zed' does not exist.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Set_password_rejects_a_short_password()
    {
        using var response = await _host.Client.PutAsJsonAsync("/api/v1/users/bob/password", new { password = "1234" });

        await HttpAssert.ValidationAsync(response, ("password", "The password must be 8-256 characters."));
        Assert.Equal("bob-password", _host.Backend.Users["bob"].Password);
    }

    [Fact]
    public async Task Set_password_rejects_an_invalid_name_in_the_path()
    {
        using var response = await _host.Client.PutAsJsonAsync("/api/v1/users/a%5Cb/password", new { password = "12345678" });

        await HttpAssert.ValidationAsync(response, ("name", "The user name must not contain '\\' (give it without a domain)."));
    }

    [Fact]
    public async Task Delete_returns_204_and_removes_the_user()
    {
        using var response = await _host.Client.DeleteAsync("/api/v1/users/alice");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.False(_host.Backend.Users.ContainsKey("alice"));
    }

    [Fact]
    public async Task Delete_unknown_user_is_404_problem()
    {
        using var response = await _host.Client.DeleteAsync("/api/v1/users/zed");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound, "Not Found");
    }

    [Fact]
    public async Task Delete_rejects_a_65_character_name()
    {
        using var response = await _host.Client.DeleteAsync("/api/v1/users/" + new string('u', 65));

        await HttpAssert.ValidationAsync(response, ("name", "The user name must be at most 64 characters."));
    }

    [Fact]
    public async Task Store_unavailable_is_503_problem()
    {
        _host.Backend.StoreDown = true;

        using var list = await _host.Client.GetAsync("/api/v1/users");
        using var create = await _host.Client.PostAsJsonAsync("/api/v1/users", new { name = "erin", password = "12345678" });
        using var set = await _host.Client.PutAsJsonAsync("/api/v1/users/bob/password", new { password = "12345678" });
        using var delete = await _host.Client.DeleteAsync("/api/v1/users/bob");

        foreach (var response in new[] { list, create, set, delete })
        {
            await HttpAssert.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "Session Store Unavailable");
        }
    }
}

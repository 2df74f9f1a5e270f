using System.Net;
using System.Text.Json;

namespace Admin.Tests.Infrastructure;

/// <summary>Assertions on JSON and RFC 7807 problem details responses.</summary>
public static class HttpAssert
{
    public static async Task JsonAsync(HttpResponseMessage response, HttpStatusCode status, string expectedJson)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expectedJson, body);
    }

    /// <summary>Checks a problem details response and returns its parsed root.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement root = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, root.GetProperty("status").GetInt32());
        Assert.Equal(title, root.GetProperty("title").GetString());
        return root;
    }

    /// <summary>Checks a 400 validation problem whose field errors are exactly <paramref name="expected"/> (field, message).</summary>
    public static async Task ValidationAsync(HttpResponseMessage response, params (string Field, string Message)[] expected)
    {
        JsonElement root = await ProblemAsync(response, HttpStatusCode.BadRequest, "One or more validation errors occurred.");
        var actual = root.GetProperty("errors").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateArray().Select(m => (p.Name, m.GetString()!)))
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(expected.OrderBy(e => e.Field, StringComparer.Ordinal).ToArray(), actual);
    }
}

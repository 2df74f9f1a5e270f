using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Admin.Api;

/// <summary>
/// Reads a JSON body by hand instead of through parameter binding, so a malformed body becomes a 400 validation
/// problem naming the field (binding failures would be a bare 400 without problem details).
/// </summary>
internal static class JsonBody
{
    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpContext context)
        where T : class
    {
        if (!context.Request.HasJsonContentType())
        {
            return (null, Results.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported Media Type",
                detail: "Send the request body as application/json."));
        }

        JsonSerializerOptions options = context.RequestServices.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;
        try
        {
            T? value = await JsonSerializer.DeserializeAsync<T>(context.Request.Body, options, context.RequestAborted).ConfigureAwait(false);
            if (value is not null)
            {
                return (value, null);
            }
        }
        catch (JsonException ex)
        {
            string field = ex.Path is null or "$" ? "body" : ex.Path.StartsWith("$.", StringComparison.Ordinal) ? ex.Path[2..] : ex.Path;
            return (null, Results.ValidationProblem(new Dictionary<string, string[]>
            {
                [field] = [field == "body" ? "The body is not a valid JSON object." : "The value has the wrong type or is not valid JSON."],
            }));
        }

        return (null, Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["A JSON object is required."] }));
    }
}

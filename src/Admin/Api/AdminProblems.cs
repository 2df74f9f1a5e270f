using Admin.Backend;
using Microsoft.AspNetCore.Http;

namespace Admin.Api;

/// <summary>Maps backend failures to RFC 7807 problem details.</summary>
internal static class AdminProblems
{
    public static IResult From(AdminStatus status, string? detail) => status switch
    {
        AdminStatus.NotFound => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: detail),
        AdminStatus.Conflict => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail),
        AdminStatus.Unavailable => Unavailable(detail),
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Not a failure status."),
    };

    public static IResult Unavailable(string? detail) =>
        Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Session Store Unavailable", detail: detail);

    public static IResult Validation(AdminInput.Errors errors) => Results.ValidationProblem(errors.ToDictionary());
}

using Microsoft.AspNetCore.Builder;

namespace Admin.Api;

internal static class AdminEndpointConventions
{
    /// <summary>Declares the JSON body type for OpenAPI (see <see cref="JsonRequestBodyMetadata"/>).</summary>
    public static RouteHandlerBuilder AcceptsJson<TBody>(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new JsonRequestBodyMetadata(typeof(TBody)));
}

using Admin.Api;
using Admin.Backend;
using Admin.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Admin;

public static class AdminApiEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the admin API under <c>/api/v1</c> (bearer API key required), the OpenAPI document at
    /// <c>/swagger/v1/swagger.json</c> and Swagger UI at <c>/swagger</c> (both anonymous).
    /// Every endpoint matches only on the management listener: the connection's local port must be in
    /// <see cref="AdminApiOptions.ManagementPorts"/> (when configured) and <paramref name="connectionFilter"/> must accept
    /// the request (when given); with neither, nothing matches. On other ports routing behaves as if the endpoints
    /// did not exist. Returns the group holding all of them, for further conventions.
    /// </summary>
    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder endpoints, Func<HttpContext, bool>? connectionFilter = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);

        RouteGroupBuilder root = endpoints.MapGroup(string.Empty);
        root.WithMetadata(new ManagementListenerMetadata(connectionFilter));

        RouteGroupBuilder api = root.MapGroup(AdminApiDefaults.ApiPrefix)
            .RequireAuthorization(AdminApiDefaults.AuthorizationPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .AddEndpointFilter(MapUnavailableException);
        AdminEndpoints.Map(api);

        root.MapSwagger("/swagger/{documentName}/swagger.json").ExcludeFromDescription();
        RequestDelegate swaggerUi = endpoints.CreateApplicationBuilder()
            .UseSwaggerUI(ui =>
            {
                ui.RoutePrefix = "swagger";
                ui.SwaggerEndpoint(AdminApiDefaults.DocumentName + "/swagger.json", "Admin API " + AdminApiDefaults.DocumentName);
                ui.DocumentTitle = "SSTP gateway admin API";
            })
            .Build();
        root.Map("/swagger", swaggerUi).ExcludeFromDescription();
        root.Map("/swagger/{**asset}", swaggerUi).ExcludeFromDescription();

        return root;
    }

    private static async ValueTask<object?> MapUnavailableException(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (AdminUnavailableException ex)
        {
            HttpContext http = context.HttpContext;
            ILogger logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(AdminLog.Category);
            AdminLog.BackendUnavailable(logger, http.Request.Path, ex);
            return AdminProblems.Unavailable(ex.Message);
        }
    }
}

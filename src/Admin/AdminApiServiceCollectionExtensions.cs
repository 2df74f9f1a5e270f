using Admin.Api;
using Admin.Routing;
using Admin.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Admin;

public static class AdminApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers what the admin API needs: <see cref="AdminApiOptions"/> bound from the <c>Admin</c> section of
    /// <paramref name="configuration"/> (validated at start), the bearer API key authentication scheme
    /// (<see cref="AdminApiDefaults.AuthenticationScheme"/>) and policy (<see cref="AdminApiDefaults.AuthorizationPolicy"/>),
    /// problem details, the management-listener routing policy, <see cref="TimeProvider.System"/> unless one is
    /// registered, and the Swagger generator for the admin endpoints. The host registers the backends
    /// (<c>ISessionAdmin</c>, <c>INodeAdmin</c>, <c>IPoolAdmin</c>, <c>IUserAdmin</c>).
    /// </summary>
    public static IServiceCollection AddAdminApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<AdminApiOptions>()
            .Bind(configuration.GetSection(AdminApiOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AdminApiOptions>, AdminApiOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, ManagementListenerMatcherPolicy>());
        services.TryAddSingleton(TimeProvider.System);

        services.AddProblemDetails();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AdminApiDefaults.AuthenticationScheme, displayName: null, configureOptions: null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminApiDefaults.AuthorizationPolicy, policy => policy
                .AddAuthenticationSchemes(AdminApiDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser());

        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc(AdminApiDefaults.DocumentName, new OpenApiInfo
            {
                Title = "SSTP gateway admin API",
                Version = AdminApiDefaults.DocumentName,
                Description = "Sessions, nodes, address pool and local users of the SSTP VPN gateway cluster. Served on the management listener only.",
            });
            swagger.AddSecurityDefinition(BearerSchemeId, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key from Admin:ApiKeys, sent as 'Authorization: Bearer <key>'.",
            });
            swagger.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(BearerSchemeId, document)] = [],
            });
            swagger.SupportNonNullableReferenceTypes();

            // Record parameter docs become schema property descriptions. The file ships next to the assembly
            // (GenerateDocumentationFile); a publish that drops it only loses the descriptions.
            string xmlDocs = Path.Combine(AppContext.BaseDirectory, typeof(AdminApiOptions).Assembly.GetName().Name + ".xml");
            if (File.Exists(xmlDocs))
            {
                swagger.IncludeXmlComments(xmlDocs);
            }
            swagger.OperationFilter<JsonRequestBodyOperationFilter>();
            swagger.DocInclusionPredicate(static (_, description) =>
            {
                foreach (object metadata in description.ActionDescriptor.EndpointMetadata)
                {
                    if (metadata is ManagementListenerMetadata)
                    {
                        return true;
                    }
                }

                return false;
            });
        });

        return services;
    }

    private const string BearerSchemeId = "bearer";
}

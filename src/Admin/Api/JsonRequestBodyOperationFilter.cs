using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Admin.Api;

/// <summary>Adds the <c>application/json</c> request body described by <see cref="JsonRequestBodyMetadata"/> to the operation.</summary>
internal sealed class JsonRequestBodyOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        JsonRequestBodyMetadata? body = null;
        foreach (object metadata in context.ApiDescription.ActionDescriptor.EndpointMetadata)
        {
            if (metadata is JsonRequestBodyMetadata found)
            {
                body = found;
            }
        }

        if (body is null)
        {
            return;
        }

        IOpenApiSchema schema = context.SchemaGenerator.GenerateSchema(body.BodyType, context.SchemaRepository);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, IOpenApiMediaType>
            {
                ["application/json"] = new OpenApiMediaType { Schema = schema },
            },
        };
    }
}

using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OpenCalendly.Host.Bookings;

namespace OpenCalendly.Host.Api;

/// <summary>
/// A mutation replayed by its <c>Idempotency-Key</c> header (required): <see cref="IdempotentWrites"/> refuses a
/// request without a usable one before the endpoint runs and stores its answer, and the OpenAPI document declares the header.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class IdempotentAttribute : Attribute
{
    public static bool Marks(Wolverine.Http.HttpChain chain) => chain.Method.Method.IsDefined(typeof(IdempotentAttribute), inherit: false);
}

public static class OpenApiAdditions
{
    /// <summary>The OpenAPI document's additions: the idempotency header, instants as date-time strings, enums as strings.</summary>
    public static void Configure(OpenApiOptions options)
    {
        Add(options);
        // Instants (InstantJsonConverter) and enums (JsonStringEnumConverter, snake_case names) are written as strings by
        // converters that hide their shape from the schema generator: say it.
        options.AddSchemaTransformer((schema, context, _) =>
        {
            var nullable = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type);
            var type = nullable ?? context.JsonTypeInfo.Type;
            if (type != typeof(DateTimeOffset) && !type.IsEnum) return Task.CompletedTask;
            schema.Type = nullable is null ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
            if (type == typeof(DateTimeOffset)) schema.Format = "date-time";
            return Task.CompletedTask;
        });
    }

    /// <summary>Declares the <c>Idempotency-Key</c> header on every operation marked <see cref="IdempotentAttribute"/>.</summary>
    private static void Add(OpenApiOptions options) => options.AddOperationTransformer((operation, context, _) =>
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IdempotentAttribute>().Any())
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "Idempotency-Key", In = ParameterLocation.Header, Required = true,
                Description = $"A key unique to this attempt ({Idempotency.MinKeyLength}–{Idempotency.MaxKeyLength} characters); a retry with the same key replays the first answer.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = Idempotency.MinKeyLength, MaxLength = Idempotency.MaxKeyLength },
            });
        }
        return Task.CompletedTask;
    });
}

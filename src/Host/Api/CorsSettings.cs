namespace OpenCalendly.Host.Api;

/// <summary>
/// Browser clients on other origins (the reference web app, an integrator's own front end): only the origins listed in
/// <c>Cors:AllowedOrigins</c> (empty by default, so no other origin may call). Sessions travel in the
/// <c>Authorization</c> header, never in cookies, so credentials are not allowed.
/// </summary>
public static class CorsSettings
{
    public const string Policy = "configured-origins";

    public static readonly TimeSpan PreflightMaxAge = TimeSpan.FromHours(1);

    /// <summary>The configured origins: an array (<c>Cors:AllowedOrigins:0</c>…) or one string separated by commas or semicolons.</summary>
    public static string[] Origins(IConfiguration config)
    {
        var section = config.GetSection("Cors:AllowedOrigins");
        var values = section.GetChildren().Select(c => c.Value).Append(section.Value);
        return [.. values.OfType<string>()
            .SelectMany(v => v.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(o => o.TrimEnd('/')).Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    public static void Add(IServiceCollection services, IConfiguration config)
    {
        var origins = Origins(config);
        foreach (var origin in origins)
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
                throw new SettingsProblem($"Cors:AllowedOrigins: '{origin}' is not an origin such as https://app.example.com.");
        services.AddCors(o => o.AddPolicy(Policy, policy => policy
            .WithOrigins(origins)
            .WithMethods("GET", "POST", "PUT", "PATCH", "DELETE")
            .WithHeaders("Authorization", "Content-Type", "Idempotency-Key")
            .WithExposedHeaders("Retry-After")
            .SetPreflightMaxAge(PreflightMaxAge)));
    }
}

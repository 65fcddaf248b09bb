using OpenCalendly.Host.Api;
using OpenCalendly.Integrations.Email;

namespace OpenCalendly.Host.Email;

/// <summary>
/// <c>Email:Provider</c> picks the sender: <c>resend</c>, <c>smtp</c> or <c>file</c> (the default outside
/// Production). Production refuses to start without an explicit provider.
/// </summary>
public static class EmailProviders
{
    /// <param name="helpOnly">The command line only prints help: no provider is needed (the file sink stands in).</param>
    public static void Add(IServiceCollection services, IConfiguration config, IHostEnvironment environment, bool helpOnly = false)
    {
        var from = config["Email:From"] ?? "OpenCalendly <no-reply@opencalendly.local>";
        var provider = config["Email:Provider"]
            ?? (environment.IsProduction() && !helpOnly ? throw new SettingsProblem("set Email:Provider (resend, smtp or file) — Production needs it.") : "file");

        switch (provider.ToLowerInvariant())
        {
            case "file":
                var folder = config["Email:SinkFolder"] ?? Path.Combine(environment.ContentRootPath, ".data", "mail");
                services.AddSingleton<IEmailSender>(new FileEmailSink(folder, from));
                break;
            case "smtp":
                services.AddSingleton<IEmailSender>(new SmtpEmailSender(new SmtpSettings(
                    Required(config, "Email:Smtp:Host"), config.GetValue("Email:Smtp:Port", 587),
                    config["Email:Smtp:Username"], config["Email:Smtp:Password"], config.GetValue("Email:Smtp:UseStartTls", true), from)));
                break;
            case "resend":
                services.AddSingleton(new ResendSettings(Required(config, "Email:Resend:ApiKey"), from));
                services.AddHttpClient(ResendEmailSender.ClientName, http =>
                {
                    http.BaseAddress = new Uri((config["Email:Resend:BaseUrl"] ?? "https://api.resend.com").TrimEnd('/') + "/");
                    http.Timeout = TimeSpan.FromSeconds(30);
                });
                // A type registration, not a factory lambda: Wolverine's generated handlers build it directly.
                services.AddSingleton<IEmailSender, ResendEmailSender>();
                break;
            default:
                throw new SettingsProblem($"Unknown Email:Provider '{provider}': use resend, smtp or file.");
        }
    }

    private static string Required(IConfiguration config, string key) =>
        config[key] is { Length: > 0 } value ? value : throw new SettingsProblem($"{key} is required for this email provider.");
}

using OpenCalendly.Host.Api;
using OpenCalendly.Integrations.Webhooks;

namespace OpenCalendly.Host.Webhooks;

public sealed record WebhookInput(string? Url, IReadOnlyList<string?>? Events, string? Secret, bool? IsActive)
{
    public FieldErrors Check(bool creating)
    {
        var errors = new FieldErrors()
            .Text("url", Url, 1, 2000, required: creating)
            .Text("secret", Secret, 8, 200, required: creating)
            .When(Url is not null && !Uri.TryCreate(Url, UriKind.Absolute, out _), "url", "url must be an absolute URL.");
        if (Events is null) return creating ? errors.Require("events", null) : errors;
        errors.When(Events.Count == 0, "events", "Subscribe to at least one event.");
        foreach (var e in Events)
            errors.When(e is null || !WebhookEvents.All.Contains(e), "events", $"Unknown event '{e}': use {string.Join(", ", WebhookEvents.All)}.");
        return errors;
    }

    /// <summary>The SSRF guard's verdict on the URL (resolved now; every delivery checks again).</summary>
    public async Task<FieldErrors> CheckTargetAsync(FieldErrors errors, WebhookSettings settings, CancellationToken ct)
    {
        if (errors.Any || Url is null) return errors;
        return await WebhookTargets.RefusalAsync(new Uri(Url), settings.AllowPrivateTargets, ct) is { } refusal ? errors.Add("url", refusal) : errors;
    }
}

public sealed record WebhookJson(Guid Id, string Url, IReadOnlyList<string> Events, bool IsActive, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static WebhookJson Of(WebhookSubscription s) => new(s.Id, s.Url, s.Events, s.IsActive, s.CreatedAt, s.UpdatedAt);
}

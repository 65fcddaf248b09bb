namespace OpenCalendly.Host.Identity;

/// <summary>An organizer. Email and username are unique (database indexes, not only checks).</summary>
public sealed class User
{
    public Guid Id { get; set; }
    public string Email { get; set; } = "";
    public string Username { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string Timezone { get; set; } = "UTC";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A signed-in session, keyed by the SHA-256 of its token; the token itself is never stored.</summary>
public sealed class Session
{
    public string Id { get; set; } = "";
    public Guid UserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    public bool IsValidAt(DateTimeOffset now) => RevokedAt is null && ExpiresAt > now;
}

/// <summary>
/// A pending sign-in, keyed by the SHA-256 of its token. A first-time sign-up carries the profile the
/// user asked for; the account is created only when the link is used, so unverified emails own nothing.
/// </summary>
public sealed class MagicLink
{
    public string Id { get; set; } = "";
    public string Email { get; set; } = "";
    public Guid? UserId { get; set; }
    public string? Username { get; set; }
    public string? DisplayName { get; set; }
    public string? Timezone { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? ConsumedAt { get; set; }
}

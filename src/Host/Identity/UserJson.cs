namespace OpenCalendly.Host.Identity;

public sealed record UserJson(Guid Id, string Email, string Username, string DisplayName, string Timezone)
{
    public static UserJson Of(User user) => new(user.Id, user.Email, user.Username, user.DisplayName, user.Timezone);
}

using Marten;
using Marten.Schema;

namespace OpenCalendly.Host.Identity;

public static class IdentityStore
{
    public static void Apply(StoreOptions opts)
    {
        opts.Schema.For<User>()
            .UniqueIndex(UniqueIndexType.Computed, "user_email", x => x.Email)
            .UniqueIndex(UniqueIndexType.Computed, "user_username", x => x.Username);
        opts.Schema.For<MagicLink>().UseOptimisticConcurrency(true);
        opts.Schema.For<Session>().Index(x => x.UserId);
        opts.Schema.For<ApiKey>()
            .UniqueIndex(UniqueIndexType.Computed, "api_key_token_hash", x => x.TokenHash)
            .Index(x => x.UserId);
    }
}

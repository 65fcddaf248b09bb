using OpenCalendly.Integrations.Secrets;

namespace OpenCalendly.Host.Api;

/// <summary>
/// <c>Secrets:Key</c> (base64, 32 bytes) with <c>Secrets:KeyId</c> seals secrets at rest; retired keys stay
/// readable under <c>Secrets:RetiredKeys:&lt;id&gt;</c>. Production refuses to start without a key;
/// Development and tests may run with a random key per process (sealed data then lives as long as the process).
/// </summary>
public static class SecretKeys
{
    /// <param name="helpOnly">The command line only prints help: a missing key is not needed (a random one stands in).</param>
    public static SecretBox Load(IConfiguration config, IHostEnvironment environment, bool helpOnly = false)
    {
        try
        {
            return Read(config, environment, helpOnly);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new SettingsProblem($"Secrets:Key and Secrets:RetiredKeys must be 32 random bytes in base64 ({e.Message}).", e);
        }
    }

    private static SecretBox Read(IConfiguration config, IHostEnvironment environment, bool helpOnly)
    {
        var keyId = config["Secrets:KeyId"] ?? "k1";
        var keys = new Dictionary<string, byte[]>();
        foreach (var retired in config.GetSection("Secrets:RetiredKeys").GetChildren())
            if (retired.Value is { Length: > 0 } value) keys[retired.Key] = Convert.FromBase64String(value);

        if (config["Secrets:Key"] is { Length: > 0 } key) keys[keyId] = Convert.FromBase64String(key);
        else if (environment.IsProduction() && !helpOnly)
            throw new SettingsProblem("set Secrets:Key (32 random bytes, base64; e.g. openssl rand -base64 32) — Production needs it.");
        else keys[keyId] = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

        return new SecretBox(keyId, keys);
    }
}

using Npgsql;
using OpenCalendly.Host.Api;

namespace OpenCalendly.Host.Tests;

public sealed class ConnectionDefaultsTests
{
    private static NpgsqlConnectionStringBuilder Applied(string connectionString) => new(ConnectionDefaults.Apply(connectionString));

    [Fact]
    public void A_connection_string_without_it_gets_the_hosts_auto_prepare()
    {
        var applied = Applied("Host=127.0.0.1;Username=postgres;Database=x;Maximum Pool Size=20");
        applied.MaxAutoPrepare.ShouldBe(ConnectionDefaults.MaxAutoPrepare);
        applied.MaxPoolSize.ShouldBe(20);
        applied.Host.ShouldBe("127.0.0.1");
    }

    [Theory]
    [InlineData("Max Auto Prepare")]
    [InlineData("max auto prepare")]
    [InlineData("MaxAutoPrepare")]
    public void Auto_prepare_the_connection_string_sets_is_kept_under_any_spelling(string keyword) =>
        Applied($"Host=127.0.0.1;{keyword}=0").MaxAutoPrepare.ShouldBe(0);

    [Fact]
    public void A_connection_string_without_them_gets_the_hosts_pool_size_and_auto_prepare()
    {
        var applied = Applied("Host=127.0.0.1;Username=postgres;Database=x");
        applied.MaxPoolSize.ShouldBe(ConnectionDefaults.MaxPoolSize);
        applied.MaxAutoPrepare.ShouldBe(ConnectionDefaults.MaxAutoPrepare);
    }

    [Theory]
    [InlineData("Maximum Pool Size")]
    [InlineData("maximum pool size")]
    [InlineData("MaxPoolSize")]
    public void The_pool_size_the_connection_string_sets_is_kept_under_any_spelling(string keyword) =>
        Applied($"Host=127.0.0.1;{keyword}=7").MaxPoolSize.ShouldBe(7);
}

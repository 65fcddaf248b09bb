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

    [Fact]
    public void Several_hosts_are_asked_again_each_second_unless_the_string_says_otherwise()
    {
        Applied("Host=10.0.0.1:5432,10.0.0.2:5432;Target Session Attributes=primary").HostRecheckSeconds.ShouldBe(ConnectionDefaults.HostRecheckSeconds);
        Applied("Host=10.0.0.1:5432,10.0.0.2:5432;Host Recheck Seconds=5").HostRecheckSeconds.ShouldBe(5);
        Applied("Host=10.0.0.1").HostRecheckSeconds.ShouldBe(new NpgsqlConnectionStringBuilder().HostRecheckSeconds);
    }

    [Theory]
    [InlineData("No suitable host was found.", true)]
    [InlineData("57P01", true)]
    [InlineData("25006", true)]
    [InlineData("08006", true)]
    [InlineData("23505", false)]
    [InlineData("23P01", false)]
    public void A_database_that_is_away_is_503_and_one_that_refuses_is_not(string what, bool away)
    {
        Exception e = what.Length == 5 ? new PostgresException("x", "ERROR", "ERROR", what) : new NpgsqlException(what);
        DatabaseConflicts.IsUnavailable(new InvalidOperationException("wrapped", e)).ShouldBe(away);
        (DatabaseConflicts.Classify(e)?.Status == 503).ShouldBe(away);
    }
}

using Npgsql;

namespace OpenCalendly.Host.Tests;

/// <summary>
/// Row counts of every table a request writes in its own transaction (events, streams, documents, reservation,
/// busy-window and analytics tables). Left out: Wolverine's own tables and the email delivery records, which
/// background handlers write at their own pace.
/// </summary>
public static class DatabaseSnapshot
{
    public static async Task<IReadOnlyDictionary<string, long>> TakeAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "select table_schema || '.' || table_name from information_schema.tables " +
            "where table_schema = 'opencalendly' and table_type = 'BASE TABLE' and table_name not like 'wolverine%' " +
            "and table_name not in ('mt_doc_emaildelivery', 'mt_event_progression') order by 1", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));

        var counts = new Dictionary<string, long>();
        await using var count = new NpgsqlCommand(string.Join(" union all ", tables.Select(t => $"select '{t}', count(*) from {t}{Filter(t)}")), connection);
        await using var rows = await count.ExecuteReaderAsync();
        while (await rows.ReadAsync()) counts[rows.GetString(0)] = rows.GetInt64(1);
        return counts;
    }

    /// <summary>
    /// Marten fills the sequence numbers a failed unit of work drew with "tombstones" on a stream of its own
    /// (no aggregate type), written later on a fresh connection: bookkeeping, not data, so not counted.
    /// </summary>
    private static string Filter(string table) => table switch
    {
        "opencalendly.mt_streams" => " where type is not null",
        "opencalendly.mt_events" => " where stream_id in (select id from opencalendly.mt_streams where type is not null)",
        _ => "",
    };

    /// <param name="allowOneMore">A table (by part of its name) that may hold one more row after than before.</param>
    public static string Difference(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after, string? allowOneMore = null) =>
        string.Join(", ", after
            .Where(a => before.GetValueOrDefault(a.Key) != a.Value)
            .Where(a => !(allowOneMore is not null && a.Key.Contains(allowOneMore, StringComparison.OrdinalIgnoreCase) && a.Value == before.GetValueOrDefault(a.Key) + 1))
            .Select(a => $"{a.Key}: {before.GetValueOrDefault(a.Key)} → {a.Value}"));
}

namespace OpenCalendly.Projections.Analytics;

/// <summary>
/// Daily funnel counters per event type (UTC days). <c>confirmed</c>, <c>canceled</c> and <c>rescheduled</c> count
/// the bookings made that day by what became of them: still confirmed, canceled, or made by a reschedule
/// (a booking that was moved drops out; its successor counts on its own day). <c>booking_confirmations</c> counts
/// bookings made through the booking page (reschedules excluded): the funnel's last stage.
/// </summary>
public sealed class FunnelDailyTable(string schema) : ExplicitTable(schema, TableName)
{
    public const string TableName = "funnel_daily";

    protected override string CreateSql => $"""
        CREATE TABLE IF NOT EXISTS {QualifiedName} (
            event_type_id uuid NOT NULL,
            day date NOT NULL,
            organizer_id uuid NOT NULL,
            page_views integer NOT NULL DEFAULT 0,
            slot_selections integer NOT NULL DEFAULT 0,
            booking_confirmations integer NOT NULL DEFAULT 0,
            confirmed integer NOT NULL DEFAULT 0,
            canceled integer NOT NULL DEFAULT 0,
            rescheduled integer NOT NULL DEFAULT 0,
            PRIMARY KEY (event_type_id, day)
        );
        CREATE INDEX IF NOT EXISTS funnel_daily_by_organizer ON {QualifiedName} (organizer_id, day);
        """;
}

/// <summary>
/// Which daily counter each booking sits in (<c>confirmed</c>, <c>canceled</c>, <c>rescheduled</c>, or <c>superseded</c> once
/// moved), so a later cancel or reschedule moves it to the right one, and no booking event counts twice.
/// </summary>
public sealed class FunnelBookingsTable(string schema) : ExplicitTable(schema, TableName)
{
    public const string TableName = "funnel_bookings";

    protected override string CreateSql => $"""
        CREATE TABLE IF NOT EXISTS {QualifiedName} (
            booking_id uuid PRIMARY KEY,
            event_type_id uuid NOT NULL,
            day date NOT NULL,
            bucket text NOT NULL
        );
        """;
}

/// <summary>
/// The funnel events already counted, by id: counting is then idempotent, so a rebuild running beside the inline
/// path (which sees no event versions or sequences before commit) never counts one twice.
/// </summary>
public sealed class FunnelEventsTable(string schema) : ExplicitTable(schema, TableName)
{
    public const string TableName = "funnel_events";

    protected override string CreateSql => $"""
        CREATE TABLE IF NOT EXISTS {QualifiedName} (
            event_id uuid PRIMARY KEY,
            day date NOT NULL
        );
        """;
}

/// <summary>Round-robin assignments per team event type, member and UTC day.</summary>
public sealed class TeamAssignmentsDailyTable(string schema) : ExplicitTable(schema, TableName)
{
    public const string TableName = "team_assignments_daily";

    protected override string CreateSql => $"""
        CREATE TABLE IF NOT EXISTS {QualifiedName} (
            event_type_id uuid NOT NULL,
            day date NOT NULL,
            member_id uuid NOT NULL,
            assignments integer NOT NULL DEFAULT 0,
            PRIMARY KEY (event_type_id, day, member_id)
        );
        """;
}

using JasperFx.Events;
using Marten.Events.Aggregation;
using OpenCalendly.Scheduling.Calendars;

namespace OpenCalendly.Projections.Calendars;

/// <summary>Keeps the <see cref="CalendarConnection"/> view (status, sealed tokens, written-back events) inline.</summary>
public sealed class CalendarConnectionProjection : SingleStreamProjection<CalendarConnection, Guid>
{
    public CalendarConnectionProjection()
    {
        // Only these: without a list, every stream in every commit (a booking's, a day of funnel events) costs a load of this document.
        IncludeType<CalendarConnected>();
        IncludeType<CalendarTokensRefreshed>();
        IncludeType<BusyWindowsSynced>();
        IncludeType<BusyWindowsUnchanged>();
        IncludeType<CalDavCalendarsChosen>();
        IncludeType<CalDavCalendarsFound>();
        IncludeType<CalendarSyncFailed>();
        IncludeType<CalendarDisconnected>();
        IncludeType<BookingWrittenBack>();
    }

    public override CalendarConnection? Evolve(CalendarConnection? snapshot, Guid id, IEvent e)
    {
        if (e.Data is CalendarConnected connected) return CalendarConnection.From(connected, snapshot);
        switch (snapshot, e.Data)
        {
            case (not null, CalendarTokensRefreshed refreshed): snapshot.When(refreshed); break;
            case (not null, BusyWindowsSynced synced): snapshot.When(synced); break;
            case (not null, BusyWindowsUnchanged unchanged): snapshot.When(unchanged); break;
            case (not null, CalDavCalendarsChosen chosen): snapshot.When(chosen); break;
            case (not null, CalDavCalendarsFound found): snapshot.When(found); break;
            case (not null, CalendarSyncFailed failed): snapshot.When(failed); break;
            case (not null, CalendarDisconnected disconnected): snapshot.When(disconnected); break;
            case (not null, BookingWrittenBack written): snapshot.When(written); break;
        }
        return snapshot;
    }
}

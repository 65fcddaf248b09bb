using NodaTime;
using OpenCalendly.Scheduling;
using OpenCalendly.Scheduling.Analytics;
using OpenCalendly.Scheduling.Bookings;

namespace OpenCalendly.Scheduling.Tests;

/// <summary>Every refusal says its kind, which alone decides the answer's status; the code and sentence say which "no".</summary>
public sealed class RefusalKindTests
{
    private static readonly Instant Now = Instant.FromUtc(2030, 5, 1, 12, 0);

    private static Booking Confirmed(Guid organizer) => new()
    {
        Id = Guid.NewGuid(), OrganizerId = organizer, ReservedUserIds = [organizer], Status = BookingStatus.Confirmed,
        StartsAt = Now.Plus(Duration.FromDays(2)).ToDateTimeOffset(), EndsAt = Now.Plus(Duration.FromDays(2) + Duration.FromMinutes(30)).ToDateTimeOffset(),
        ActionTokensExpireAt = Now.Plus(Duration.FromDays(2)).ToDateTimeOffset(),
    };

    [Fact]
    public void a_host_cancelling_a_moved_booking_is_told_to_cancel_the_booking_it_became()
    {
        var organizer = Guid.NewGuid();
        var moved = Confirmed(organizer);
        moved.Status = BookingStatus.Rescheduled;
        var refusal = CancelBooking.CheckByHost(moved, organizer, Now).ShouldNotBeNull();
        (refusal.Kind, refusal.Code).ShouldBe((RefusalKind.Conflict, "booking-moved"));
    }

    [Fact]
    public void someone_else_cannot_even_see_the_booking_and_an_ended_one_is_over()
    {
        var organizer = Guid.NewGuid();
        CancelBooking.CheckByHost(Confirmed(organizer), Guid.NewGuid(), Now)!.Kind.ShouldBe(RefusalKind.NotFound);
        CancelBooking.CheckByHost(Confirmed(organizer), organizer, Now.Plus(Duration.FromDays(3)))!.Code.ShouldBe("booking-over");
    }

    [Fact]
    public void a_link_past_its_time_or_spent_is_gone()
    {
        var booking = Confirmed(Guid.NewGuid());
        ActionLinks.CheckView(booking, Now.Plus(Duration.FromDays(3)))!.ShouldBe(BookingRefusals.LinkExpired());
        booking.Status = BookingStatus.Rescheduled;
        ActionLinks.CheckView(booking, Now)!.Kind.ShouldBe(RefusalKind.Gone);
    }

    [Fact]
    public void a_range_the_wrong_way_round_or_too_long_is_invalid_and_names_its_field()
    {
        var today = new DateOnly(2030, 5, 1);
        DayRange.Resolve(today, today.AddDays(-1), today).Refusal.ShouldBe(
            new Refusal(RefusalKind.Invalid, "validation", "endDate must be on or after startDate.", "endDate"));
        DayRange.Resolve(today.AddDays(-100), today, today).Refusal!.Field.ShouldBe("startDate");
    }
}

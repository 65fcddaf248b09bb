using System.Text.Json;
using CommunityToolkit.HighPerformance.Buffers;
using OpenCalendly.Host.Api;
using OpenCalendly.Scheduling.Availability;

namespace OpenCalendly.Host.Availability;

/// <summary>
/// The public availability answer, <c>{ ok, timezone, slots: [{ startsAt, endsAt, seatsRemaining? }] }</c> (seats only for a
/// seated event type, one count per slot), written straight to
/// a pooled buffer and sent in one write with its length: the busiest route in the product answers without an
/// object per slot, and without chunked encoding (Kestrel takes a lock for every chunk it is handed).
/// </summary>
public sealed class SlotsAnswer(string timezone, IReadOnlyList<Slot> slots, IReadOnlyList<int>? seatsRemaining = null) : IResult
{
    private static readonly JsonEncodedText Ok = JsonEncodedText.Encode("ok"), Timezone = JsonEncodedText.Encode("timezone"),
        Slots = JsonEncodedText.Encode("slots"), StartsAt = JsonEncodedText.Encode("startsAt"), EndsAt = JsonEncodedText.Encode("endsAt"),
        SeatsRemaining = JsonEncodedText.Encode("seatsRemaining");

    public async Task ExecuteAsync(HttpContext http)
    {
        using var buffer = new ArrayPoolBufferWriter<byte>(128 + 80 * slots.Count);
        using (var json = new Utf8JsonWriter(buffer))
            Write(json);
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.ContentLength = buffer.WrittenCount;
        await http.Response.Body.WriteAsync(buffer.WrittenMemory, http.RequestAborted);
    }

    private void Write(Utf8JsonWriter json)
    {
        Span<byte> instant = stackalloc byte[Instants.Length];
        json.WriteStartObject();
        json.WriteBoolean(Ok, true);
        json.WriteString(Timezone, timezone);
        json.WriteStartArray(Slots);
        for (var i = 0; i < slots.Count; i++)
        {
            json.WriteStartObject();
            json.WriteString(StartsAt, Instants.Utf8(slots[i].Start.ToDateTimeOffset(), instant));
            json.WriteString(EndsAt, Instants.Utf8(slots[i].End.ToDateTimeOffset(), instant));
            if (seatsRemaining is not null) json.WriteNumber(SeatsRemaining, seatsRemaining[i]);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}

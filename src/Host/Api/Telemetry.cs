using System.Diagnostics.Metrics;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OpenCalendly.Host.Api;

/// <summary>
/// OpenTelemetry traces and metrics (ASP.NET Core, HttpClient, Npgsql, Marten, Wolverine and ours), exported
/// over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set and not collected at all otherwise. The standard
/// <c>OTEL_*</c> settings (protocol, headers, service name, intervals) apply.
/// </summary>
public static class Telemetry
{
    public const string Name = "OpenCalendly";

    public static readonly Meter Meter = new(Name);

    /// <summary>Booking changes, tagged <c>change</c>: confirmed, canceled, rescheduled.</summary>
    public static readonly Counter<long> Bookings = Meter.CreateCounter<long>("opencalendly.bookings", "{booking}", "Bookings confirmed, canceled and rescheduled.");

    public static readonly Counter<long> SlotTaken = Meter.CreateCounter<long>("opencalendly.bookings.slot_taken", "{refusal}", "Booking attempts refused because the slot was taken.");

    /// <summary>Delivery attempts, tagged <c>channel</c> (webhook, email, calendar) and <c>outcome</c> (succeeded, retried, failed).</summary>
    public static readonly Counter<long> Deliveries = Meter.CreateCounter<long>("opencalendly.deliveries", "{attempt}", "Webhook, email and calendar writeback attempts by outcome.");

    public static readonly Histogram<double> AvailabilityDuration =
        Meter.CreateHistogram<double>("opencalendly.availability.duration", "ms", "Time to compute a public availability answer.");

    public static void Booking(string change) => Bookings.Add(1, new KeyValuePair<string, object?>("change", change));

    public static void Delivery(string channel, string outcome) =>
        Deliveries.Add(1, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("outcome", outcome));

    public static void Add(IServiceCollection services, IConfiguration config)
    {
        if (string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"])) return;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(config["OTEL_SERVICE_NAME"] ?? "opencalendly"))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.EnrichWithHttpRequest = Redaction.Trace)
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource("Marten", "Wolverine", Name))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("Marten", "Wolverine", Name))
            .UseOtlpExporter();
    }
}

namespace OpenCalendly.Scheduling;

/// <summary>A decision's "no", with a stable code the Host maps to an HTTP status.</summary>
public sealed record Refusal(string Code, string Message);

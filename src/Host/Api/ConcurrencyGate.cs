namespace OpenCalendly.Host.Api;

/// <summary>
/// At most <c>limit</c> holders per key at once on this node. An entrant waits a moment for a place (a fast receiver
/// frees one within milliseconds) and then gives up, so a key whose holders hang never keeps a worker for long.
/// </summary>
public sealed class ConcurrencyGate(int limit)
{
    private readonly Dictionary<Guid, (SemaphoreSlim Places, int Users)> _gates = [];

    public async Task<bool> TryEnterAsync(Guid key, TimeSpan wait, CancellationToken ct)
    {
        SemaphoreSlim places;
        lock (_gates)
        {
            var gate = _gates.TryGetValue(key, out var found) ? found : (Places: new SemaphoreSlim(limit, limit), Users: 0);
            _gates[key] = (gate.Places, gate.Users + 1);
            places = gate.Places;
        }
        var entered = false;
        try
        {
            entered = await places.WaitAsync(wait, ct);
            return entered;
        }
        finally
        {
            if (!entered) Leave(key, held: false);
        }
    }

    public void Exit(Guid key) => Leave(key, held: true);

    private void Leave(Guid key, bool held)
    {
        lock (_gates)
        {
            var gate = _gates[key];
            if (held) gate.Places.Release();
            if (gate.Users > 1) _gates[key] = (gate.Places, gate.Users - 1);
            else
            {
                _gates.Remove(key);
                gate.Places.Dispose();
            }
        }
    }
}

namespace OpenCalendly.Host.Api;

/// <summary>At most <c>limit</c> holders per key at once on this node; a full key refuses at once instead of queueing.</summary>
public sealed class ConcurrencyGate(int limit)
{
    private readonly Dictionary<Guid, int> _held = [];

    public bool TryEnter(Guid key)
    {
        lock (_held)
        {
            var held = _held.GetValueOrDefault(key);
            if (held >= limit) return false;
            _held[key] = held + 1;
            return true;
        }
    }

    public void Exit(Guid key)
    {
        lock (_held)
        {
            if (_held.GetValueOrDefault(key) <= 1) _held.Remove(key);
            else _held[key]--;
        }
    }
}

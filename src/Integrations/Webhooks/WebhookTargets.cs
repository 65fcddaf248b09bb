using System.Net;
using System.Net.Sockets;

namespace OpenCalendly.Integrations.Webhooks;

/// <summary>
/// The SSRF guard: a webhook may only reach public addresses. Checked when a subscription is saved and
/// again for every connection a delivery opens (the address is resolved, checked and connected to in one
/// step, so a DNS answer that changes in between cannot slip a private address through).
/// </summary>
public static class WebhookTargets
{
    /// <summary>
    /// Public means globally routed unicast. IPv4 refuses the special-purpose ranges (RFC 6890); IPv6 allows only global
    /// unicast (2000::/3), so every form that embeds or maps an IPv4 address (::a.b.c.d, ::ffff:0:a.b.c.d, 64:ff9b::/96,
    /// 6to4 2002::/16, Teredo) and the discard prefix 100::/64 are refused with the rest.
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0                                   // "this network"
                || b[0] == 10                                    // private
                || b[0] == 100 && (b[1] & 0xC0) == 64            // carrier-grade NAT
                || b[0] == 127                                   // loopback
                || b[0] == 169 && b[1] == 254                    // link-local (cloud metadata lives here)
                || b[0] == 172 && (b[1] & 0xF0) == 16            // private
                || b[0] == 192 && b[1] == 0 && b[2] == 0         // IETF protocol assignments
                || b[0] == 192 && b[1] == 0 && b[2] == 2         // documentation (TEST-NET-1)
                || b[0] == 192 && b[1] == 88 && b[2] == 99       // 6to4 relay anycast
                || b[0] == 192 && b[1] == 168                    // private
                || b[0] == 198 && (b[1] & 0xFE) == 18            // benchmarking
                || b[0] == 198 && b[1] == 51 && b[2] == 100      // documentation (TEST-NET-2)
                || b[0] == 203 && b[1] == 0 && b[2] == 113       // documentation (TEST-NET-3)
                || b[0] >= 224);                                 // multicast, reserved, broadcast
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return (b[0] & 0xE0) == 0x20                         // global unicast 2000::/3 only
                && !(b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02 // IETF protocol assignments 2001::/23 (Teredo, ORCHID, benchmarking)
                    || b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8   // documentation 2001:db8::/32
                    || b[0] == 0x20 && b[1] == 0x02                                   // 6to4 2002::/16 (maps onto IPv4)
                    || b[0] == 0x3F && b[1] == 0xFF && (b[2] & 0xF0) == 0);           // documentation 3fff::/20
        }
        return false;
    }

    /// <summary>Why the URL may not be a webhook target (or another outbound target: <paramref name="field"/> names it), or null when it may.</summary>
    public static async Task<string?> RefusalAsync(Uri url, bool allowPrivate, CancellationToken ct, string field = "url", string reachedBy = "webhooks")
    {
        if (url.Scheme != Uri.UriSchemeHttps && !(allowPrivate && url.Scheme == Uri.UriSchemeHttp))
            return allowPrivate ? $"{field} must be an absolute http or https URL." : $"{field} must be an absolute https URL.";
        if (!string.IsNullOrEmpty(url.UserInfo)) return $"{field} must not carry credentials.";
        if (allowPrivate) return null;

        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(url.IdnHost, ct);
        }
        catch (SocketException)
        {
            return $"The host '{url.Host}' does not resolve.";
        }
        if (addresses.Length == 0) return $"The host '{url.Host}' does not resolve.";
        return addresses.All(IsPublic) ? null : $"{field} resolves to a private, loopback or link-local address, which {reachedBy} may not reach.";
    }

    /// <summary>A connect callback that only opens connections to public addresses.</summary>
    public static async ValueTask<Stream> ConnectPublicOnlyAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var target = addresses.FirstOrDefault(IsPublic)
            ?? throw new HttpRequestException($"Refused to connect to '{host}': it resolves to a private, loopback or link-local address.");
        if (addresses.Any(a => !IsPublic(a)))
            throw new HttpRequestException($"Refused to connect to '{host}': it resolves to a private, loopback or link-local address.");

        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(target, context.DnsEndPoint.Port), ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

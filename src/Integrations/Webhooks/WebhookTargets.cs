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
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
            || address.Equals(IPAddress.None) || address.Equals(IPAddress.IPv6None)) return false;

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
                || b[0] == 192 && b[1] == 168                    // private
                || b[0] == 198 && (b[1] & 0xFE) == 18            // benchmarking
                || b[0] >= 224);                                 // multicast, reserved, broadcast
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC                         // unique local fc00::/7
                || address.IsIPv6Teredo
                || b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8   // documentation
                || b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B); // NAT64 (maps onto IPv4)
        }
        return false;
    }

    /// <summary>Why the URL may not be a webhook target, or null when it may.</summary>
    public static async Task<string?> RefusalAsync(Uri url, bool allowPrivate, CancellationToken ct)
    {
        if (url.Scheme != Uri.UriSchemeHttps && !(allowPrivate && url.Scheme == Uri.UriSchemeHttp))
            return allowPrivate ? "url must be an absolute http or https URL." : "url must be an absolute https URL.";
        if (!string.IsNullOrEmpty(url.UserInfo)) return "url must not carry credentials.";
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
        return addresses.All(IsPublic) ? null : "url resolves to a private, loopback or link-local address, which webhooks may not reach.";
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

using System.Net;

namespace OpenCalendly.Host.Tests;

/// <summary>What a browser, a crawler or an uptime probe asks of any page.</summary>
[Collection(AppCollection.Name)]
public sealed class PageBasicsTests(App app)
{
    [Fact]
    public async Task the_favicon_is_served()
    {
        var icon = await app.Http.GetAsync("/favicon.ico");
        icon.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await icon.Content.ReadAsByteArrayAsync()).Take(4).ShouldBe(new byte[] { 0, 0, 1, 0 });
    }

    [Theory]
    [InlineData("/auth/sign-in")]
    [InlineData("/organizer")]
    [InlineData("/demo/intro-call")]
    [InlineData("/booking/actions/some-token")]
    public async Task pages_answer_head_like_get(string path)
    {
        var head = await app.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        head.StatusCode.ShouldBe(HttpStatusCode.OK);
        head.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
    }
}

namespace OpenCalendly.Host.Tests;

[Collection(AppCollection.Name)]
public sealed class DocsTests(App app)
{
    [Fact]
    public async Task the_openapi_document_lists_the_routes()
    {
        var document = (await app.Http.Get("/openapi/v1.json")).ShouldBe(200);

        foreach (var route in new[] { "/v0/bookings", "/v0/event-types", "/v0/me/availability/rules", "/v0/auth/magic-link",
                     "/v0/users/{username}/event-types/{slug}/availability" })
            document.Json["paths"]![route].ShouldNotBeNull(route);
    }

    [Fact]
    public async Task the_api_reference_page_is_served()
    {
        var page = await app.Http.GetAsync("/docs/");
        ((int)page.StatusCode).ShouldBe(200);
        (await page.Content.ReadAsStringAsync()).ShouldContain("\"url\":\"openapi/v1.json\"");
    }
}

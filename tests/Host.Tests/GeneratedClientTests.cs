using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NSwag;
using NSwag.CodeGeneration.CSharp;

namespace OpenCalendly.Host.Tests;

/// <summary>
/// The OpenAPI document is enough to build a client: NSwag generates C# from <c>/openapi/v1.json</c>, Roslyn compiles
/// it, and an invitee books and cancels through it (typed answers, the Idempotency-Key header declared).
/// </summary>
[Collection(AppCollection.Name)]
public sealed class GeneratedClientTests(App app)
{
    [Fact]
    public async Task a_client_generated_from_the_openapi_document_books_and_cancels()
    {
        var json = (await app.Http.Get("/openapi/v1.json")).ShouldBe(200).Body;
        var document = await OpenApiDocument.FromJsonAsync(json);
        var createBooking = document.Paths["/v0/bookings"]["post"];
        createBooking.Parameters.ShouldContain(p => p.Name == "Idempotency-Key" && p.Kind == OpenApiParameterKind.Header && p.IsRequired);
        createBooking.ActualResponses["200"].Schema.ShouldNotBeNull();

        var code = new CSharpClientGenerator(document, new CSharpClientGeneratorSettings
        {
            ClassName = "OpenCalendlyClient",
            UseBaseUrl = false,
            GenerateClientInterfaces = false,
            CSharpGeneratorSettings = { Namespace = "Generated", JsonLibrary = NJsonSchema.CodeGeneration.CSharp.CSharpJsonLibrary.SystemTextJson },
        }).GenerateFile();
        var client = Compile(code).GetType("Generated.OpenCalendlyClient")!;
        object api = Activator.CreateInstance(client, app.Http)!;

        // The invitee's page: the event type, then a free slot, as the public routes describe them.
        var (organizer, slug, _) = await app.Http.Bookable(questions: [new { id = "company", label = "Company", required = false }]);
        var page = await Invoke(api, "PublicEventTypeAsync", new() { ["username"] = organizer.Username, ["slug"] = slug });
        ((string)page.EventType.Name).ShouldBe("Call");
        ((string)page.Organizer.Username).ShouldBe(organizer.Username);
        ((string)page.EventType.Questions[0].Label).ShouldBe("Company");
        var free = await Invoke(api, "PublicAvailabilityAsync", new()
        {
            ["username"] = organizer.Username, ["slug"] = slug, ["timezone"] = "Europe/Paris", ["start"] = "2030-06-03T00:00:00Z", ["days"] = "2",
        });
        DateTimeOffset startsAt = free.Slots[0].StartsAt;
        startsAt.ShouldBe(new DateTimeOffset(2030, 6, 3, 9, 0, 0, TimeSpan.Zero));

        var input = Create(client.Assembly, "Generated.BookSlotInput", new()
        {
            ["Username"] = organizer.Username, ["EventSlug"] = slug, ["StartsAt"] = (DateTimeOffset?)startsAt,
            ["Timezone"] = "Europe/Paris", ["InviteeName"] = "Gene Rated", ["InviteeEmail"] = "gene@example.com",
        });
        var booked = await Invoke(api, "CreateBookingAsync", new() { ["body"] = input, ["idempotency_Key"] = Api.NewKey() });
        string bookingId = booked.Booking.Id.ToString();
        string manage = booked.Actions.Manage.Token;
        ((string)booked.Actions.Manage.PageUrl).ShouldEndWith(manage);
        ((DateTimeOffset)booked.Booking.StartsAt).ShouldBe(startsAt);
        ((int)booked.Email.Queued).ShouldBe(2);
        var link = await Invoke(api, "ViewActionLinkAsync", new() { ["token"] = manage });
        ((bool)link.Actions.CanCancel).ShouldBeTrue();
        ((string)link.Booking.InviteeName).ShouldBe("Gene Rated");

        var canceled = await Invoke(api, "CancelBookingAsync", new()
        {
            ["token"] = manage, ["body"] = Create(client.Assembly, "Generated.CancelBookingInput", new() { ["Reason"] = "Generated plans changed" }),
        });
        ((string)canceled.Booking.Id.ToString()).ShouldBe(bookingId);
        ((object)canceled.Booking.Status).ToString().ShouldBe("Canceled", StringCompareShould.IgnoreCase);
    }

    [Fact]
    public async Task every_operation_describes_its_answer()
    {
        var json = (await app.Http.Get("/openapi/v1.json")).ShouldBe(200).Body;
        if (Environment.GetEnvironmentVariable("OPENCALENDLY_OPENAPI_DUMP") is { Length: > 0 } dump) await File.WriteAllTextAsync(dump, json);
        var document = await OpenApiDocument.FromJsonAsync(json);
        var untyped = document.Paths.SelectMany(path => path.Value.Select(operation => (Name: $"{operation.Key.ToUpperInvariant()} {path.Key}", operation.Value)))
            .Where(o => !o.Value.ActualResponses.TryGetValue("200", out var ok) || ok.Schema is null
                || document.Components.Schemas.TryGetValue("IResult", out var anyResult) && ok.Schema.ActualSchema == anyResult)
            .Select(o => o.Name).ToList();
        untyped.ShouldBeEmpty();
        document.Components.Schemas.ShouldNotContainKey("IResult");
    }

    private static Assembly Compile(string code)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create("GeneratedClient", [CSharpSyntaxTree.ParseText(code)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        emitted.Success.ShouldBeTrue(string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(10)));
        image.Position = 0;
        return new AssemblyLoadContext("generated-client", isCollectible: true).LoadFromStream(image);
    }

    private static object Create(Assembly assembly, string typeName, Dictionary<string, object?> values)
    {
        var type = assembly.GetType(typeName).ShouldNotBeNull(typeName);
        var instance = Activator.CreateInstance(type)!;
        foreach (var (name, value) in values) type.GetProperty(name).ShouldNotBeNull($"{typeName}.{name}").SetValue(instance, value);
        return instance;
    }

    /// <summary>Calls the generated method by its parameters' names (their order is the generator's), without a cancellation token.</summary>
    private static async Task<dynamic> Invoke(object api, string method, Dictionary<string, object?> arguments)
    {
        var target = api.GetType().GetMethods().Single(m => m.Name == method && m.GetParameters().All(p => p.ParameterType != typeof(CancellationToken)));
        var values = target.GetParameters().Select(p => arguments.TryGetValue(p.Name!, out var value) ? value
            : throw new ShouldAssertException($"{method} takes {p.Name}; known: {string.Join(", ", arguments.Keys)}")).ToArray();
        var task = (Task)target.Invoke(api, values)!;
        await task;
        return ((dynamic)task).Result;
    }
}

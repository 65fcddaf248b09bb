using System.Text;
using CsCheck;
using OpenCalendly.Host.Api;

namespace OpenCalendly.Host.Tests;

public sealed class InstantsTests
{
    [Fact]
    public void the_allocation_free_writer_writes_what_the_formatter_writes() =>
        Gen.Long[DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks].Sample(ticks =>
        {
            var instant = new DateTimeOffset(ticks, TimeSpan.Zero);
            Encoding.UTF8.GetString(Instants.Utf8(instant, new byte[Instants.Length])).ShouldBe(Instants.Format(instant));
        }, iter: 20_000);
}

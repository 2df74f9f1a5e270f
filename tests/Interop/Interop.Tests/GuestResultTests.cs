namespace Interop.Tests;

public sealed class GuestResultTests
{
    [Fact]
    public void ParsesStepStatusAndFields()
    {
        var r = GuestResult.TryParse("RESULT connect ok unit=2 ms=3600 addr=192.168.77.72 peer=192.168.77.1");

        Assert.NotNull(r);
        Assert.Equal("connect", r.Step);
        Assert.Equal("ok", r.Status);
        Assert.True(r.Ok);
        Assert.Equal(2, r.Unit);
        Assert.Equal(3600, r.Int("ms"));
        Assert.Equal("192.168.77.72", r["addr"]);
        Assert.Equal("192.168.77.1", r["peer"]);
    }

    [Fact]
    public void DoneLineHasNoStatus()
    {
        var r = GuestResult.TryParse("RESULT done ms=16370");

        Assert.NotNull(r);
        Assert.Equal("done", r.Step);
        Assert.Equal("", r.Status);
        Assert.Equal(16370, r.Int("ms"));
        Assert.Null(r.Unit);
    }

    [Fact]
    public void ToleratesConsoleNoiseBeforeThePrefix()
    {
        var r = GuestResult.TryParse("[    3.1] x RESULT connect flaky-exit unit=0 ms=950");

        Assert.NotNull(r);
        Assert.Equal("flaky-exit", r.Status);
        Assert.Equal(0, r.Unit);
    }

    [Theory]
    [InlineData("LOG u0 pppd: Connection terminated.")]
    [InlineData("RESULT ")]
    [InlineData("RESULT unit=0")]
    [InlineData("RESULT ping ok garbage")]
    public void RejectsLinesThatAreNotResults(string line) => Assert.Null(GuestResult.TryParse(line));
}

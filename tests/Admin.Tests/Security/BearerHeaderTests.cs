using Admin.Security;

namespace Admin.Tests.Security;

public sealed class BearerHeaderTests
{
    [Theory]
    [InlineData("Bearer abc", "abc")]
    [InlineData("bearer abc", "abc")]
    [InlineData("BEARER  abc ", "abc")]
    [InlineData("Bearer a.b-c_d~e+f/g=", "a.b-c_d~e+f/g=")]
    public void Extracts_the_token(string header, string token)
    {
        Assert.True(BearerHeader.TryGetToken(header, out string actual));
        Assert.Equal(token, actual);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer    ")]
    [InlineData("Bearerabc")]
    [InlineData("Basic abc")]
    [InlineData("Bearer a b")]
    public void Refuses_anything_else(string? header)
    {
        Assert.False(BearerHeader.TryGetToken(header, out string token));
        Assert.Equal(string.Empty, token);
    }
}

using Admin.Security;

namespace Admin.Tests.Security;

public sealed class ApiKeyMatcherTests
{
    private static readonly string[] Keys = ["0123456789abcdef", "fedcba9876543210-long", "short"];

    [Theory]
    [InlineData("0123456789abcdef", 0)]
    [InlineData("fedcba9876543210-long", 1)]
    [InlineData("0123456789abcdeF", -1)]
    [InlineData("0123456789abcde", -1)]
    [InlineData("0123456789abcdef0", -1)]
    [InlineData("", -1)]
    [InlineData("short", -1)]
    public void Matches_exactly_one_configured_key_of_at_least_16_characters(string presented, int expected)
    {
        Assert.Equal(expected, ApiKeyMatcher.Match(presented, Keys));
    }

    [Fact]
    public void Duplicate_keys_match_the_first()
    {
        Assert.Equal(0, ApiKeyMatcher.Match("0123456789abcdef", ["0123456789abcdef", "0123456789abcdef"]));
    }

    [Fact]
    public void No_configured_keys_match_nothing()
    {
        Assert.Equal(-1, ApiKeyMatcher.Match("0123456789abcdef", []));
    }
}

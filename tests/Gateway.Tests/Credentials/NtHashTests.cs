using Gateway.Credentials;

namespace Gateway.Tests.Credentials;

public sealed class NtHashTests
{
    [Fact]
    public void FromPassword_IsTheRfc2759PasswordHash()
    {
        Assert.Equal("44EBBA8D5312B8D611474411F56989AE", NtHash.ToHex(NtHash.FromPassword("clientPass")));
        Assert.Equal("31D6CFE0D16AE931B73C59D7E0C089C0", NtHash.ToHex(NtHash.FromPassword(string.Empty)));
    }

    [Fact]
    public void FromPassword_UsesUtf16()
    {
        // MD4 of UTF-16LE "ü" (FC 00) differs from MD4 of the UTF-8 bytes.
        Assert.Equal(Convert.ToHexString(Gateway.Ppp.Auth.Md4.HashData([0xFC, 0x00])), NtHash.ToHex(NtHash.FromPassword("ü")));
    }

    [Theory]
    [InlineData("44EBBA8D5312B8D611474411F56989AE", true)]
    [InlineData("44ebba8d5312b8d611474411f56989ae", true)]
    [InlineData("44EBBA8D5312B8D611474411F56989A", false)]
    [InlineData("44EBBA8D5312B8D611474411F56989AE00", false)]
    [InlineData("44EBBA8D5312B8D611474411F56989AG", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void TryParseHex(string? text, bool valid)
    {
        Assert.Equal(valid, NtHash.TryParseHex(text, out byte[] hash));
        Assert.Equal(valid ? 16 : 0, hash.Length);
    }

    [Fact]
    public void ParseHex_RoundTrips_AndExplainsErrors()
    {
        byte[] hash = NtHash.ParseHex("44ebba8d5312b8d611474411f56989ae");
        Assert.Equal("44EBBA8D5312B8D611474411F56989AE", NtHash.ToHex(hash));
        var error = Assert.Throws<FormatException>(() => NtHash.ParseHex("xyz"));
        Assert.Contains("32 hex digits", error.Message);
    }
}

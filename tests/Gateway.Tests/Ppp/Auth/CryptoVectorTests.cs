using System.Text;
using Gateway.Ppp.Auth;

namespace Gateway.Tests.Ppp.Auth;

/// <summary>RFC 1320, RFC 2759 9.2 and RFC 3079 3.5 vectors (reference section 6.4).</summary>
public sealed class CryptoVectorTests
{
    private static readonly byte[] UserName = "User"u8.ToArray();
    private const string Password = "clientPass";
    private static readonly byte[] AuthenticatorChallenge = Convert.FromHexString("5B5D7C7D7B3F2F3E3C2C602132262628");
    private static readonly byte[] PeerChallenge = Convert.FromHexString("21402324255E262A28295F2B3A337C7E");
    private static readonly byte[] PasswordHash = Convert.FromHexString("44EBBA8D5312B8D611474411F56989AE");
    private static readonly byte[] NtResponse = Convert.FromHexString("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF");
    private static readonly byte[] PasswordHashHash = Convert.FromHexString("41C00C584BD2D91C4017A2A12FA59F3F");
    private static readonly byte[] MasterKey = Convert.FromHexString("FDECE3717A8C838CB388E527AE3CDD31");

    [Theory]
    [InlineData("", "31d6cfe0d16ae931b73c59d7e0c089c0")]
    [InlineData("a", "bde52cb31de33e46245e05fbdbd6fb24")]
    [InlineData("abc", "a448017aaf21d8525fc10ae87aa6729d")]
    [InlineData("message digest", "d9130a8164549fe818874806e1c7014b")]
    [InlineData("abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "043f8582f241db351ce627e153e7f0e4")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "e33b4ddc9c38f2199c3e7b164fcc0536")]
    public void Md4_Rfc1320Suite(string input, string expectedHex)
    {
        Assert.Equal(expectedHex, Convert.ToHexStringLower(Md4.HashData(Encoding.ASCII.GetBytes(input))));
    }

    /// <summary>Lengths around the 56-byte padding boundary; values from OpenSSL's legacy MD4.</summary>
    [Theory]
    [InlineData(55, "c889c81dd86c4d2e025778944ea02881")]
    [InlineData(56, "d5f9a9e9257077a5f08b0b92f348b0ad")]
    [InlineData(63, "7ea3da77432d44c323671097d1348fc8")]
    [InlineData(64, "52f5076fabd22680234a3fa9f9dc5732")]
    [InlineData(65, "330e377bf231f3cacfecc2c182fe7e5b")]
    [InlineData(119, "e65dd227ccef97fa1d34d70189120f76")]
    [InlineData(120, "b03ddbd470b47c013e0c7ab2ddd763db")]
    public void Md4_PaddingBoundaries(int length, string expectedHex)
    {
        byte[] data = Enumerable.Repeat((byte)'a', length).ToArray();
        Assert.Equal(expectedHex, Convert.ToHexStringLower(Md4.HashData(data)));
    }

    /// <summary>Random blocks cross-checked against OpenSSL des-ecb (legacy provider); 400 such rows agreed during development.</summary>
    [Theory]
    [InlineData("A76FAF9B45984BFB", "EE1C7BF07417446F", "0BA1540F29E15E88")]
    [InlineData("25607E65462D070B", "4F9DD039F0A693EA", "4174D69B66E566EB")]
    [InlineData("DFED0780D97937DD", "21EC8032645AA2FB", "8BCCAF4E3EBCEC75")]
    [InlineData("044B09F195906144", "352125E3A69C078B", "18214A7BE4F62D6D")]
    [InlineData("D50E18692241A9CB", "BADA24618442B454", "70690C26A0C39487")]
    [InlineData("FBF0922913C7A0A6", "A9732569CA4FD616", "58BC5836EA6CBA0B")]
    public void Des_MatchesOpenSsl(string keyHex, string clearHex, string cipherHex)
    {
        var cipher = new byte[8];
        MsChapDes.EncryptBlock(Convert.FromHexString(keyHex), Convert.FromHexString(clearHex), cipher);
        Assert.Equal(cipherHex, Convert.ToHexString(cipher));
    }

    [Fact]
    public void Des_SanityVector()
    {
        var cipher = new byte[8];
        MsChapDes.EncryptBlock(Convert.FromHexString("7CA110454A1A6E57"), Convert.FromHexString("01A1D6D039776742"), cipher);
        Assert.Equal("690F5B0D9A26939B", Convert.ToHexString(cipher));
    }

    [Fact]
    public void Des_Fips81Vector()
    {
        var cipher = new byte[8];
        MsChapDes.EncryptBlock(Convert.FromHexString("133457799BBCDFF1"), Convert.FromHexString("0123456789ABCDEF"), cipher);
        Assert.Equal("85E813540F0AB405", Convert.ToHexString(cipher));
    }

    [Fact]
    public void Des_KeyExpansion_InsertsParityEverySevenBits()
    {
        var key8 = new byte[8];
        MsChapDes.ExpandKey(Convert.FromHexString("FFFFFFFFFFFFFF"), key8);
        Assert.Equal("FEFEFEFEFEFEFEFE", Convert.ToHexString(key8));
        MsChapDes.ExpandKey(Convert.FromHexString("00000000000000"), key8);
        Assert.Equal("0101010101010101", Convert.ToHexString(key8));
    }

    [Fact]
    public void ChallengeHash_Rfc2759()
    {
        var hash = new byte[8];
        MsChapV2Crypto.ChallengeHash(PeerChallenge, AuthenticatorChallenge, UserName, hash);
        Assert.Equal("D02E4386BCE91226", Convert.ToHexString(hash));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(600)]
    public void ChallengeHash_AnyNameLength_IsSha1Prefix(int nameLength)
    {
        byte[] name = Enumerable.Range(0, nameLength).Select(i => (byte)i).ToArray();
        var hash = new byte[8];
        MsChapV2Crypto.ChallengeHash(PeerChallenge, AuthenticatorChallenge, name, hash);
        byte[] expected = System.Security.Cryptography.SHA1.HashData([.. PeerChallenge, .. AuthenticatorChallenge, .. name]);
        Assert.Equal(expected[..8], hash);
    }

    [Fact]
    public void NtPasswordHash_Rfc2759()
    {
        var hash = new byte[16];
        MsChapV2Crypto.NtPasswordHash(Password, hash);
        Assert.Equal(PasswordHash, hash);
    }

    [Fact]
    public void NtResponse_Rfc2759()
    {
        var response = new byte[24];
        MsChapV2Crypto.GenerateNtResponse(AuthenticatorChallenge, PeerChallenge, UserName, PasswordHash, response);
        Assert.Equal(NtResponse, response);
    }

    [Fact]
    public void ChallengeResponse_Rfc2759()
    {
        var response = new byte[24];
        MsChapV2Crypto.ChallengeResponse(Convert.FromHexString("D02E4386BCE91226"), PasswordHash, response);
        Assert.Equal(NtResponse, response);
    }

    [Fact]
    public void PasswordHashHash_Rfc2759()
    {
        var hashHash = new byte[16];
        MsChapV2Crypto.HashNtPasswordHash(PasswordHash, hashHash);
        Assert.Equal(PasswordHashHash, hashHash);
    }

    [Fact]
    public void AuthenticatorResponse_Rfc2759()
    {
        var digest = new byte[20];
        MsChapV2Crypto.GenerateAuthenticatorResponse(PasswordHash, NtResponse, PeerChallenge, AuthenticatorChallenge, UserName, digest);
        Assert.Equal("S=407A5589115FD0D6209F510FE9C04566932CDA56", MsChapV2Crypto.FormatAuthenticatorResponse(digest));
    }

    [Theory]
    [InlineData("S=407A5589115FD0D6209F510FE9C04566932CDA56", true)]
    [InlineData("S=407a5589115fd0d6209f510fe9c04566932cda56", true)]
    [InlineData("S=407A5589115FD0D6209F510FE9C04566932CDA57", false)]
    [InlineData("S=407A5589115FD0D6209F510FE9C04566932CDA5", false)]
    [InlineData("X=407A5589115FD0D6209F510FE9C04566932CDA56", false)]
    [InlineData("S=407A5589115FD0D6209F510FE9C04566932CDAZZ", false)]
    [InlineData("", false)]
    public void CheckAuthenticatorResponse_Rfc2759(string received, bool expected)
    {
        Assert.Equal(expected, MsChapV2Crypto.CheckAuthenticatorResponse(
            PasswordHash, NtResponse, PeerChallenge, AuthenticatorChallenge, UserName, received));
    }

    [Fact]
    public void MasterKey_Rfc3079()
    {
        var masterKey = new byte[16];
        MsChapV2Crypto.GetMasterKey(PasswordHashHash, NtResponse, masterKey);
        Assert.Equal(MasterKey, masterKey);
    }

    [Fact]
    public void AsymmetricStartKeys_Rfc3079()
    {
        var key = new byte[16];
        MsChapV2Crypto.GetAsymmetricStartKey(MasterKey, key, isSend: true, isServer: false);
        Assert.Equal("D5F0E9521E3EA9589645E86051C82226", Convert.ToHexString(key));
        MsChapV2Crypto.GetAsymmetricStartKey(MasterKey, key, isSend: false, isServer: true);
        Assert.Equal("D5F0E9521E3EA9589645E86051C82226", Convert.ToHexString(key));
        MsChapV2Crypto.GetAsymmetricStartKey(MasterKey, key, isSend: false, isServer: false);
        Assert.Equal("8B7CDC149B993A1BA118CB153F56DCCB", Convert.ToHexString(key));
        MsChapV2Crypto.GetAsymmetricStartKey(MasterKey, key, isSend: true, isServer: true);
        Assert.Equal("8B7CDC149B993A1BA118CB153F56DCCB", Convert.ToHexString(key));
    }

    [Fact]
    public void Hlak_FromRfcCredentials()
    {
        var hlak = new byte[32];
        MsChapV2Crypto.DeriveHlak(PasswordHash, NtResponse, hlak);
        Assert.Equal(KnownHlak, Convert.ToHexString(hlak));
    }

    /// <summary>Reference 5.5/6.4: HLAK from the RFC 2759 credentials.</summary>
    internal const string KnownHlak = "D5F0E9521E3EA9589645E86051C822268B7CDC149B993A1BA118CB153F56DCCB";
}

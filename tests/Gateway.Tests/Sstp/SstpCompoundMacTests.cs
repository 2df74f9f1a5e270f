using Gateway.Sstp;

namespace Gateway.Tests.Sstp;

/// <summary>[MS-SSTP] 4.7 crypto binding examples and the reference's derived vectors.</summary>
public class SstpCompoundMacTests
{
    private const string Sha256Nonce = "412B489AEBD7ECC7D08966F26BE7CD72B231A0E9210D7C91B308862B0344C435";
    private const string Sha256CertHash = "7993EF314C493DACE9F02D60E7E61C84B6690AAFE9D7AEEA92CBBE8AD599422D";
    private const string Sha256Hlak = "2A1BB40D55AB0F5EF32F06F2B3CC73C48FD3FAC41D7A1315A19228D9024CA164";
    private const string Sha256Cmk = "ECF59AC9FE155CF0A9E7D66ADC1B363C1AD7BA91A9217F0CEC2A534298828DF6";
    private const string Sha256Mac = "52A68EFD8CFFBF52770B8F0FE8EC73716583AF6D611EB6D179B3B20840985449";

    private const string Sha1Nonce = "0F1A2D58D4A3E3000FAD3CE4906E07B707AA9E441CCEAC5CBD7B2CC1C9D86CDF";
    private const string Sha1CertHash = "5826B629BDA59B8E6FD8DCD2622FD34C534805A5";
    private const string Sha1Hlak = "4B3128F43925D9006EEFB1C4E86515A1D88E56BAB3CA2BDF0373B7F5A8A13B19";
    private const string Sha1Mac = "69915DD583D8062FEF16F61DB2F03290EC27CB6C";

    private static byte[] CallConnected(SstpHashProtocol protocol, string nonce, string certHash) =>
        SstpControlMessage.CallConnected(new SstpCryptoBinding(protocol, Hex.Bytes(nonce), Hex.Bytes(certHash), default)).ToArray();

    [Fact]
    public void Sha256_vector_reproduces_cmk_and_compound_mac()
    {
        var cmk = new byte[32];
        Assert.Equal(32, SstpCompoundMac.DeriveCmk(SstpHashProtocol.Sha256, Hex.Bytes(Sha256Hlak), cmk));
        Assert.Equal(Sha256Cmk, Hex.Of(cmk));

        byte[] message = CallConnected(SstpHashProtocol.Sha256, Sha256Nonce, Sha256CertHash);
        var mac = new byte[32];
        SstpCompoundMac.Compute(SstpHashProtocol.Sha256, Hex.Bytes(Sha256Hlak), message, mac);
        Assert.Equal(Sha256Mac, Hex.Of(mac));

        mac.CopyTo(message, 80);
        Assert.True(SstpCompoundMac.Verify(SstpHashProtocol.Sha256, Hex.Bytes(Sha256Hlak), message));
    }

    [Fact]
    public void Sha1_vector_reproduces_compound_mac_with_padding()
    {
        byte[] message = CallConnected(SstpHashProtocol.Sha1, Sha1Nonce, Sha1CertHash);
        var mac = new byte[32];
        mac.AsSpan().Fill(0xEE); // must be overwritten, padding included
        SstpCompoundMac.Compute(SstpHashProtocol.Sha1, Hex.Bytes(Sha1Hlak), message, mac);
        Assert.Equal(Sha1Mac + new string('0', 24), Hex.Of(mac));

        mac.CopyTo(message, 80);
        Assert.True(SstpCompoundMac.Verify(SstpHashProtocol.Sha1, Hex.Bytes(Sha1Hlak), message));
    }

    [Fact]
    public void Mac_field_content_does_not_influence_the_mac()
    {
        byte[] message = CallConnected(SstpHashProtocol.Sha256, Sha256Nonce, Sha256CertHash);
        message.AsSpan(80).Fill(0xA5);
        var mac = new byte[32];
        SstpCompoundMac.Compute(SstpHashProtocol.Sha256, Hex.Bytes(Sha256Hlak), message, mac);
        Assert.Equal(Sha256Mac, Hex.Of(mac));
    }

    [Fact]
    public void Rfc2759_hlak_gives_the_reference_cmks()
    {
        byte[] hlak = Hex.Bytes("D5F0E9521E3EA9589645E86051C822268B7CDC149B993A1BA118CB153F56DCCB");
        var cmk = new byte[32];
        SstpCompoundMac.DeriveCmk(SstpHashProtocol.Sha256, hlak, cmk);
        Assert.Equal("150707E682B16F4CA9430560C562894AFD10050DB4182D35C3E9E06284445271", Hex.Of(cmk));
        Assert.Equal(20, SstpCompoundMac.DeriveCmk(SstpHashProtocol.Sha1, hlak, cmk));
        Assert.Equal("3AFBFF0BA79DD9743BD09949FA99F9D0C92D3698", Hex.Of(cmk.AsSpan(0, 20)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(47)]
    [InlineData(60)]
    [InlineData(79)]
    [InlineData(80)]
    [InlineData(99)]
    public void Any_changed_covered_byte_fails_verification(int index)
    {
        byte[] message = CallConnected(SstpHashProtocol.Sha256, Sha256Nonce, Sha256CertHash);
        Hex.Bytes(Sha256Mac).CopyTo(message, 80);
        message[index] ^= 0x01;
        Assert.False(SstpCompoundMac.Verify(SstpHashProtocol.Sha256, Hex.Bytes(Sha256Hlak), message));
    }

    [Fact]
    public void Sha1_padding_of_the_mac_field_is_not_compared()
    {
        byte[] message = CallConnected(SstpHashProtocol.Sha1, Sha1Nonce, Sha1CertHash);
        Hex.Bytes(Sha1Mac).CopyTo(message, 80);
        message[111] = 0xFF;
        Assert.True(SstpCompoundMac.Verify(SstpHashProtocol.Sha1, Hex.Bytes(Sha1Hlak), message));
    }

    [Fact]
    public void Cert_hash_and_nonce_checks()
    {
        byte[] field = new byte[32];
        Hex.Bytes(Sha1CertHash).CopyTo(field, 0);
        field[31] = 0x77; // padding is ignored
        Assert.True(SstpCompoundMac.CertHashMatches(SstpHashProtocol.Sha1, field, Hex.Bytes(Sha1CertHash)));
        field[19] ^= 1;
        Assert.False(SstpCompoundMac.CertHashMatches(SstpHashProtocol.Sha1, field, Hex.Bytes(Sha1CertHash)));

        Assert.True(SstpCompoundMac.CertHashMatches(SstpHashProtocol.Sha256, Hex.Bytes(Sha256CertHash), Hex.Bytes(Sha256CertHash)));
        Assert.False(SstpCompoundMac.CertHashMatches(SstpHashProtocol.Sha256, Hex.Bytes(Sha256CertHash), Hex.Bytes(Sha1CertHash)));

        Assert.True(SstpCompoundMac.NonceMatches(Hex.Bytes(Sha256Nonce), Hex.Bytes(Sha256Nonce)));
        Assert.False(SstpCompoundMac.NonceMatches(Hex.Bytes(Sha256Nonce), Hex.Bytes(Sha1Nonce)));
        Assert.False(SstpCompoundMac.NonceMatches(Hex.Bytes(Sha256Nonce), default));
    }

    [Fact]
    public void Wrong_sizes_are_argument_errors()
    {
        Assert.Throws<ArgumentException>(() => SstpCompoundMac.Compute(SstpHashProtocol.Sha256, new byte[32], new byte[111], new byte[32]));
        Assert.Throws<ArgumentException>(() => SstpCompoundMac.Compute(SstpHashProtocol.Sha256, new byte[16], new byte[112], new byte[32]));
        Assert.Throws<ArgumentOutOfRangeException>(() => SstpCompoundMac.HashLength(SstpHashProtocol.Sha1 | SstpHashProtocol.Sha256));
    }
}

namespace Gateway.Sstp;

/// <summary>
/// SSTP_ATTRIB_CRYPTO_BINDING ([MS-SSTP] 2.2.7): Reserved(3), Hash Protocol(1), Nonce(32), Cert Hash(32),
/// Compound MAC(32); total 104. SHA-1 values occupy the first 20 bytes of their 32-byte field.
/// </summary>
public readonly record struct SstpCryptoBinding(
    SstpHashProtocol HashProtocol,
    ReadOnlyMemory<byte> Nonce,
    ReadOnlyMemory<byte> CertHash,
    ReadOnlyMemory<byte> CompoundMac)
{
    private const int ValueLength = SstpConstants.CryptoBindingAttributeLength - SstpConstants.AttributeHeaderLength;

    public static bool TryParse(SstpAttribute attribute, out SstpCryptoBinding value, out SstpParseError error)
    {
        value = default;
        if (attribute.Id != SstpAttributeId.CryptoBinding)
        {
            error = SstpParseError.WrongAttributeId;
            return false;
        }

        if (attribute.Value.Length != ValueLength)
        {
            error = SstpParseError.InvalidAttributeLength;
            return false;
        }

        ReadOnlyMemory<byte> v = attribute.Value;
        value = new SstpCryptoBinding((SstpHashProtocol)v.Span[3], v.Slice(4, 32), v.Slice(36, 32), v.Slice(68, 32));
        error = SstpParseError.None;
        return true;
    }

    /// <summary>Encodes the attribute; hash fields shorter than 32 bytes (SHA-1) are zero-padded.</summary>
    public SstpAttribute ToAttribute()
    {
        if (Nonce.Length != SstpConstants.NonceLength
            || CertHash.Length > SstpConstants.HashFieldLength
            || CompoundMac.Length > SstpConstants.HashFieldLength)
        {
            throw new InvalidOperationException("Crypto Binding: nonce is 32 bytes, cert hash and MAC at most 32 (MS-SSTP 2.2.7).");
        }

        var value = new byte[ValueLength];
        value[3] = (byte)HashProtocol;
        Nonce.Span.CopyTo(value.AsSpan(4));
        CertHash.Span.CopyTo(value.AsSpan(36));
        CompoundMac.Span.CopyTo(value.AsSpan(68));
        return new SstpAttribute(SstpAttributeId.CryptoBinding, value);
    }
}

namespace Gateway.Sstp;

/// <summary>
/// SSTP_ATTRIB_CRYPTO_BINDING_REQ ([MS-SSTP] 2.2.6): Reserved(3), Hash Protocol Bitmask(1), Nonce(32); total 40.
/// </summary>
public readonly record struct SstpCryptoBindingRequest(SstpHashProtocol HashProtocols, ReadOnlyMemory<byte> Nonce)
{
    private const int ValueLength = SstpConstants.CryptoBindingRequestAttributeLength - SstpConstants.AttributeHeaderLength;

    public static bool TryParse(SstpAttribute attribute, out SstpCryptoBindingRequest value, out SstpParseError error)
    {
        value = default;
        if (attribute.Id != SstpAttributeId.CryptoBindingRequest)
        {
            error = SstpParseError.WrongAttributeId;
            return false;
        }

        if (attribute.Value.Length != ValueLength)
        {
            error = SstpParseError.InvalidAttributeLength;
            return false;
        }

        value = new SstpCryptoBindingRequest((SstpHashProtocol)attribute.Value.Span[3], attribute.Value[4..]);
        error = SstpParseError.None;
        return true;
    }

    public SstpAttribute ToAttribute()
    {
        if (Nonce.Length != SstpConstants.NonceLength)
        {
            throw new InvalidOperationException("The crypto binding nonce is 32 bytes (MS-SSTP 2.2.6).");
        }

        var value = new byte[ValueLength];
        value[3] = (byte)HashProtocols;
        Nonce.Span.CopyTo(value.AsSpan(4));
        return new SstpAttribute(SstpAttributeId.CryptoBindingRequest, value);
    }
}

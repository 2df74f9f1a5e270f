namespace Gateway.Sstp;

/// <summary>
/// Certificate hash protocols ([MS-SSTP] 2.2.6 / 2.2.7). A bitmask in Crypto Binding Request, a single value in
/// Crypto Binding.
/// </summary>
[Flags]
public enum SstpHashProtocol : byte
{
    None = 0x00,
    /// <summary>CERT_HASH_PROTOCOL_SHA1: SHA-1 cert hash, HMAC-SHA1 compound MAC (20 bytes + 12 padding).</summary>
    Sha1 = 0x01,
    /// <summary>CERT_HASH_PROTOCOL_SHA256: SHA-256 cert hash, HMAC-SHA256 compound MAC.</summary>
    Sha256 = 0x02,
}

using System.Buffers.Binary;

namespace Gateway.Edge;

/// <summary>
/// Reads the versions a ClientHello offers from the connection's first TLS record, before TLS sees it: .NET's
/// <c>SslClientHelloInfo.SslProtocols</c> does not parse supported_versions (it reports TLS 1.2 for a TLS 1.3 client
/// unless its event tracing is on), so the certificate for TLS 1.3 clients is chosen from this.
/// </summary>
public static class TlsClientHelloParser
{
    /// <summary>Largest record plaintext (RFC 8446 5.1): a longer first record is not a ClientHello we read.</summary>
    public const int MaxRecordBytes = RecordHeaderBytes + (1 << 14);

    private const int RecordHeaderBytes = 5;
    private const byte HandshakeRecord = 22;
    private const byte ClientHello = 1;
    private const ushort SupportedVersions = 43;
    private const ushort Tls13 = 0x0304;

    /// <summary>
    /// <paramref name="tls13"/>: the supported_versions extension (RFC 8446 4.2.1) lists TLS 1.3. Only the first record
    /// is read; a ClientHello fragmented over several records (RFC 8446 5.1) whose extensions do not fit in the first
    /// gives Done with false, so such a client gets the main certificate.
    /// </summary>
    public static TlsClientHelloStatus OffersTls13(ReadOnlySpan<byte> data, out bool tls13)
    {
        tls13 = false;
        if (data.Length >= 1 && data[0] != HandshakeRecord)
        {
            return TlsClientHelloStatus.NotClientHello;
        }

        if (data.Length < RecordHeaderBytes)
        {
            return TlsClientHelloStatus.Incomplete;
        }

        int recordLength = BinaryPrimitives.ReadUInt16BigEndian(data[3..]);
        if (data[1] != 3 || recordLength == 0 || RecordHeaderBytes + recordLength > MaxRecordBytes)
        {
            return TlsClientHelloStatus.NotClientHello;
        }

        if (data.Length < RecordHeaderBytes + recordLength)
        {
            return TlsClientHelloStatus.Incomplete;
        }

        ReadOnlySpan<byte> hello = data.Slice(RecordHeaderBytes, recordLength);
        if (hello[0] != ClientHello)
        {
            return TlsClientHelloStatus.NotClientHello;
        }

        // Handshake header (type, uint24 length), legacy_version, random (RFC 8446 4.1.2).
        int handshakeLength = (hello.Length >= 4) ? (hello[1] << 16) | (hello[2] << 8) | hello[3] : 0;
        ReadOnlySpan<byte> body = hello[Math.Min(hello.Length, 4)..];
        if (body.Length > handshakeLength)
        {
            body = body[..handshakeLength];
        }

        if (!Skip(ref body, 2 + 32) || !SkipVector(ref body, 1) || !SkipVector(ref body, 2) || !SkipVector(ref body, 1)
            || body.Length < 2)
        {
            return TlsClientHelloStatus.Done; // truncated (fragmented) or no extensions: no TLS 1.3 offer seen
        }

        ReadOnlySpan<byte> extensions = body[2..];
        int extensionsLength = BinaryPrimitives.ReadUInt16BigEndian(body);
        if (extensions.Length > extensionsLength)
        {
            extensions = extensions[..extensionsLength];
        }

        while (extensions.Length >= 4)
        {
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(extensions);
            int length = BinaryPrimitives.ReadUInt16BigEndian(extensions[2..]);
            if (extensions.Length < 4 + length)
            {
                break;
            }

            if (type == SupportedVersions && length >= 1)
            {
                ReadOnlySpan<byte> versions = extensions.Slice(5, Math.Min(extensions[4], length - 1));
                for (int i = 0; i + 1 < versions.Length; i += 2)
                {
                    if (BinaryPrimitives.ReadUInt16BigEndian(versions[i..]) == Tls13)
                    {
                        tls13 = true;
                    }
                }

                break;
            }

            extensions = extensions[(4 + length)..];
        }

        return TlsClientHelloStatus.Done;
    }

    private static bool Skip(ref ReadOnlySpan<byte> span, int count)
    {
        if (span.Length < count)
        {
            return false;
        }

        span = span[count..];
        return true;
    }

    /// <summary>Skips a vector with a <paramref name="lengthBytes"/>-byte length prefix (RFC 8446 3.4).</summary>
    private static bool SkipVector(ref ReadOnlySpan<byte> span, int lengthBytes)
    {
        if (span.Length < lengthBytes)
        {
            return false;
        }

        int length = lengthBytes == 1 ? span[0] : BinaryPrimitives.ReadUInt16BigEndian(span);
        return Skip(ref span, lengthBytes + length);
    }
}

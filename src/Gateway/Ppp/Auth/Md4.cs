using System.Buffers.Binary;
using System.Numerics;

namespace Gateway.Ppp.Auth;

/// <summary>
/// Managed MD4 (RFC 1320). Needed for the NT password hash (RFC 2759 8.3, 8.4): .NET has no MD4 API and
/// OpenSSL 3 only offers it through the legacy provider. Only ever used on short inputs (passwords, hashes).
/// </summary>
public static class Md4
{
    /// <summary>MD4 digest size in bytes (RFC 1320 3.5).</summary>
    public const int HashSizeInBytes = 16;

    /// <summary>Computes MD4(<paramref name="source"/>) into the first 16 bytes of <paramref name="destination"/>.</summary>
    public static void HashData(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < HashSizeInBytes)
        {
            throw new ArgumentException("MD4 needs a 16-byte destination.", nameof(destination));
        }

        // RFC 1320 3.3: initial buffer A, B, C, D.
        uint a = 0x67452301, b = 0xefcdab89, c = 0x98badcfe, d = 0x10325476;
        Span<uint> x = stackalloc uint[16];

        int fullBlocks = source.Length / 64;
        for (int i = 0; i < fullBlocks; i++)
        {
            LoadBlock(source.Slice(i * 64, 64), x);
            Compress(ref a, ref b, ref c, ref d, x);
        }

        // RFC 1320 3.1/3.2: pad with 0x80, zeros to 56 mod 64, then the bit length as 64-bit little-endian.
        Span<byte> tail = stackalloc byte[128];
        tail.Clear();
        ReadOnlySpan<byte> rest = source[(fullBlocks * 64)..];
        rest.CopyTo(tail);
        tail[rest.Length] = 0x80;
        int tailLength = rest.Length < 56 ? 64 : 128;
        BinaryPrimitives.WriteUInt64LittleEndian(tail.Slice(tailLength - 8, 8), (ulong)source.Length * 8);
        for (int offset = 0; offset < tailLength; offset += 64)
        {
            LoadBlock(tail.Slice(offset, 64), x);
            Compress(ref a, ref b, ref c, ref d, x);
        }

        x.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(destination, a);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], b);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], c);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], d);
    }

    /// <summary>Computes MD4(<paramref name="source"/>) into a new 16-byte array.</summary>
    public static byte[] HashData(ReadOnlySpan<byte> source)
    {
        var hash = new byte[HashSizeInBytes];
        HashData(source, hash);
        return hash;
    }

    private static void LoadBlock(ReadOnlySpan<byte> block, Span<uint> x)
    {
        for (int i = 0; i < 16; i++)
        {
            x[i] = BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(i * 4, 4));
        }
    }

    private static void Compress(ref uint a, ref uint b, ref uint c, ref uint d, ReadOnlySpan<uint> x)
    {
        uint aa = a, bb = b, cc = c, dd = d;

        // Round 1 (RFC 1320 3.4): F(X,Y,Z) = XY v not(X) Z.
        for (int i = 0; i < 16; i += 4)
        {
            a = BitOperations.RotateLeft(a + F(b, c, d) + x[i], 3);
            d = BitOperations.RotateLeft(d + F(a, b, c) + x[i + 1], 7);
            c = BitOperations.RotateLeft(c + F(d, a, b) + x[i + 2], 11);
            b = BitOperations.RotateLeft(b + F(c, d, a) + x[i + 3], 19);
        }

        // Round 2: G(X,Y,Z) = XY v XZ v YZ, constant 0x5A827999 (sqrt 2), word order 0,4,8,12 / 1,5,9,13 / ...
        const uint k2 = 0x5A827999;
        for (int i = 0; i < 4; i++)
        {
            a = BitOperations.RotateLeft(a + G(b, c, d) + x[i] + k2, 3);
            d = BitOperations.RotateLeft(d + G(a, b, c) + x[i + 4] + k2, 5);
            c = BitOperations.RotateLeft(c + G(d, a, b) + x[i + 8] + k2, 9);
            b = BitOperations.RotateLeft(b + G(c, d, a) + x[i + 12] + k2, 13);
        }

        // Round 3: H(X,Y,Z) = X xor Y xor Z, constant 0x6ED9EBA1 (sqrt 3), word order 0,8,4,12 / 2,10,6,14 / 1,9,5,13 / 3,11,7,15.
        const uint k3 = 0x6ED9EBA1;
        ReadOnlySpan<int> order = [0, 2, 1, 3];
        for (int j = 0; j < 4; j++)
        {
            int i = order[j];
            a = BitOperations.RotateLeft(a + (b ^ c ^ d) + x[i] + k3, 3);
            d = BitOperations.RotateLeft(d + (a ^ b ^ c) + x[i + 8] + k3, 9);
            c = BitOperations.RotateLeft(c + (d ^ a ^ b) + x[i + 4] + k3, 11);
            b = BitOperations.RotateLeft(b + (c ^ d ^ a) + x[i + 12] + k3, 15);
        }

        a += aa;
        b += bb;
        c += cc;
        d += dd;
    }

    private static uint F(uint x, uint y, uint z) => (x & y) | (~x & z);

    private static uint G(uint x, uint y, uint z) => (x & y) | (x & z) | (y & z);
}

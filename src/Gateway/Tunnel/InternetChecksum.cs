using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Gateway.Tunnel;

/// <summary>
/// The Internet checksum (RFC 1071) and its incremental update (RFC 1624). All sums are kept as 32-bit
/// accumulators and folded to 16 bits at the end, so callers can chain partial sums over several spans.
/// </summary>
public static class InternetChecksum
{
    /// <summary>Adds the 16-bit big-endian words of <paramref name="data"/> to <paramref name="sum"/> (RFC 1071 4.1).
    /// An odd trailing byte is padded with a zero byte on the right, as the RFC requires.</summary>
    public static ulong Add(ulong sum, ReadOnlySpan<byte> data)
    {
        // RFC 1071 2(B): the one's complement sum is independent of byte order, so the words are summed in the
        // machine's own order, 32 bytes at a time, into 64-bit lanes (no carry is ever lost), and only the folded
        // result is swapped to network order. This is the per-segment cost of GSO segmentation and MSS clamping.
        ref byte start = ref MemoryMarshal.GetReference(data);
        int length = data.Length;
        int i = 0;
        ulong native = 0;
        if (Vector256.IsHardwareAccelerated && length >= 64)
        {
            Vector256<ulong> low = Vector256<ulong>.Zero;
            Vector256<ulong> high = Vector256<ulong>.Zero;
            for (; i <= length - 32; i += 32)
            {
                (Vector256<ulong> a, Vector256<ulong> b) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)i).AsUInt32());
                low += a;
                high += b;
            }
            native = Vector256.Sum(low + high);
        }
        for (; i <= length - 8; i += 8)
        {
            ulong word = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i));
            native += (uint)word;
            native += word >> 32;
        }
        if (length - i >= 4)
        {
            native += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i));
            i += 4;
        }
        if (length - i >= 2)
        {
            native += Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref start, i));
            i += 2;
        }
        if (i < length)
        {
            // The pad byte goes on the right in network order: the high byte of a big-endian word.
            native += BitConverter.IsLittleEndian ? Unsafe.Add(ref start, i) : (uint)Unsafe.Add(ref start, i) << 8;
        }
        ushort folded = Fold(native);
        return sum + (BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(folded) : folded);
    }

    /// <summary>Folds a running sum to 16 bits (end-around carry), without complementing it.</summary>
    public static ushort Fold(ulong sum)
    {
        sum = (sum & 0xFFFF_FFFF) + (sum >> 32);
        sum = (sum & 0xFFFF_FFFF) + (sum >> 32);
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)sum;
    }

    /// <summary>The checksum to store in a header: the one's complement of the folded sum of <paramref name="data"/>.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => (ushort)~Fold(Add(0, data));

    /// <summary>
    /// True when <paramref name="data"/> (which includes its checksum field) sums to 0xFFFF, i.e. the
    /// stored checksum is consistent (RFC 1071 section 1, step 3).
    /// </summary>
    public static bool IsValid(ReadOnlySpan<byte> data) => Fold(Add(0, data)) == 0xFFFF;

    /// <summary>
    /// Updates a stored checksum after one 16-bit word changed from <paramref name="oldWord"/> to
    /// <paramref name="newWord"/>: RFC 1624 equation 3, HC' = ~(~HC + ~m + m'). Equation 3 (not 2) avoids
    /// producing 0x0000 for a sum of all ones, the case RFC 1624 section 3 warns about.
    /// </summary>
    public static ushort Update(ushort checksum, ushort oldWord, ushort newWord)
    {
        ulong sum = (ushort)~checksum;
        sum += (ushort)~oldWord;
        sum += newWord;
        return (ushort)~Fold(sum);
    }

    /// <summary>
    /// RFC 1624 equation 3 for a change of several words at once: <paramref name="oldSum"/> and
    /// <paramref name="newSum"/> are <see cref="Add"/> sums of the same word-aligned region before and after.
    /// </summary>
    public static ushort Update(ushort checksum, ulong oldSum, ulong newSum)
    {
        ulong sum = (ushort)~checksum;
        sum += (ushort)~Fold(oldSum);
        sum += Fold(newSum);
        return (ushort)~Fold(sum);
    }
}

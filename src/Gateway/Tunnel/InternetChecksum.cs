using System.Buffers.Binary;

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
        int i = 0;
        // 4 bytes at a time into a 64-bit accumulator: carries are kept and folded at the end.
        while (data.Length - i >= 4)
        {
            sum += BinaryPrimitives.ReadUInt32BigEndian(data.Slice(i, 4));
            i += 4;
        }
        if (data.Length - i >= 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i, 2));
            i += 2;
        }
        if (i < data.Length)
        {
            sum += (uint)data[i] << 8;
        }
        return sum;
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

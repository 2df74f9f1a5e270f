using FsCheck.Xunit;
using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

public class InternetChecksumTests
{
    [Fact]
    public void Rfc1071_example_sum()
    {
        // RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2.
        byte[] data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        Assert.Equal(0xddf2, InternetChecksum.Fold(InternetChecksum.Add(0, data)));
        Assert.Equal(0x220d, InternetChecksum.Compute(data));
    }

    [Fact]
    public void Ipv4_header_checksum_of_a_real_header()
    {
        // Header from the V4Syn test packet; checksum 0x07ca computed by the generator.
        byte[] header = TestPackets.Bytes(TestPackets.V4Syn)[..20];
        Assert.True(InternetChecksum.IsValid(header));
        header[10] = 0;
        header[11] = 0;
        Assert.Equal(0x07ca, InternetChecksum.Compute(header));
    }

    [Fact]
    public void Odd_length_pads_with_zero()
    {
        Assert.Equal(InternetChecksum.Compute([0x12, 0x34, 0x56, 0x00]), InternetChecksum.Compute([0x12, 0x34, 0x56]));
    }

    [Fact]
    public void Rfc1624_update_gives_plus_zero_not_minus_zero()
    {
        // RFC 1624 section 4: a header whose checksum is 0x0000 after the change; eqn 2 would give 0xFFFF.
        // Words: 0xCD7A + 0x5555 = 0x22D0 (with end-around carry) so HC = ~0x22D0 = 0xDD2F; m 0x5555 -> m' 0x3285
        // makes the sum 0xFFFF, whose complement is 0x0000.
        ushort hc = InternetChecksum.Compute([0xCD, 0x7A, 0x55, 0x55]);
        Assert.Equal(0xDD2F, hc);
        Assert.Equal(0x0000, InternetChecksum.Update(hc, 0x5555, 0x3285));
        Assert.Equal(InternetChecksum.Compute([0xCD, 0x7A, 0x32, 0x85]), InternetChecksum.Update(hc, 0x5555, 0x3285));
    }

    [Property]
    public bool Incremental_update_equals_full_recompute(byte[] data, ushort newWord, byte position)
    {
        if (data is null || data.Length < 2)
        {
            return true;
        }
        byte[] copy = (byte[])data.Clone();
        if (copy.Length % 2 == 1)
        {
            Array.Resize(ref copy, copy.Length + 1);
        }
        int at = position % (copy.Length / 2) * 2;
        ushort before = InternetChecksum.Compute(copy);
        ushort oldWord = (ushort)(copy[at] << 8 | copy[at + 1]);
        copy[at] = (byte)(newWord >> 8);
        copy[at + 1] = (byte)newWord;
        ushort after = InternetChecksum.Compute(copy);
        ushort updated = InternetChecksum.Update(before, oldWord, newWord);
        // One's complement has two zeros; the two may legitimately differ only between 0x0000 and 0xFFFF.
        return updated == after || (updated is 0 or 0xFFFF && after is 0 or 0xFFFF);
    }

    [Property]
    public bool Compute_matches_naive_sum(byte[] data)
    {
        data ??= [];
        return InternetChecksum.Compute(data) == (ushort)~TestPackets.NaiveSum(data);
    }

    /// <summary>The vectorised, machine-order sum against the naive big-endian one, for every length up to 300 and
    /// some large ones, at odd and even start offsets, with chaining over split spans.</summary>
    [Fact]
    public void Matches_the_naive_sum_for_any_length_and_split()
    {
        var random = new Random(1071);
        byte[] data = new byte[70000];
        random.NextBytes(data);
        int[] lengths = [.. Enumerable.Range(0, 300), 1023, 1380, 1400, 4095, 65535, 69999];
        foreach (int length in lengths)
        {
            int offset = length % 3;
            byte[] slice = data[offset..(offset + length)];
            Assert.Equal(TestPackets.NaiveSum(slice), InternetChecksum.Fold(InternetChecksum.Add(0, slice)));
            int split = length / 2 & ~1; // chaining is defined at even boundaries
            ulong chained = InternetChecksum.Add(InternetChecksum.Add(7, slice.AsSpan(0, split)), slice.AsSpan(split));
            Assert.Equal(TestPackets.NaiveSum([0, 7], slice), InternetChecksum.Fold(chained));
        }
        byte[] ones = Enumerable.Repeat((byte)0xFF, 4096).ToArray();
        Assert.Equal(0xFFFF, InternetChecksum.Fold(InternetChecksum.Add(0, ones)));
    }
}

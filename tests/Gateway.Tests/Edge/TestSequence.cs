using System.Buffers;

namespace Gateway.Tests.Edge;

/// <summary>Builds a ReadOnlySequence split at the given offsets (empty segments allowed), to test segment-boundary handling.</summary>
internal static class TestSequence
{
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var offsets = new List<int> { 0 };
        foreach (int cut in cuts)
        {
            offsets.Add(Math.Clamp(cut, offsets[^1], data.Length));
        }

        offsets.Add(data.Length);
        Segment? first = null;
        Segment? last = null;
        for (int i = 0; i + 1 < offsets.Count; i++)
        {
            // Copy so that no segment can read past its own end.
            byte[] chunk = data.AsSpan(offsets[i], offsets[i + 1] - offsets[i]).ToArray();
            if (first is null)
            {
                first = last = new Segment(chunk, 0);
            }
            else
            {
                last = last!.Append(chunk);
            }
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>Every way to cut the input into two or three segments.</summary>
    public static IEnumerable<ReadOnlySequence<byte>> AllSplits(byte[] data)
    {
        yield return new ReadOnlySequence<byte>(data);
        for (int i = 0; i <= data.Length; i++)
        {
            yield return Split(data, i);
        }

        for (int i = 0; i <= data.Length; i += Math.Max(1, data.Length / 40))
        {
            for (int j = i; j <= data.Length; j++)
            {
                yield return Split(data, i, j);
            }
        }
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

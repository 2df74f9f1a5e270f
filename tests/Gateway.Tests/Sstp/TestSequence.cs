using System.Buffers;

namespace Gateway.Tests.Sstp;

/// <summary>Builds multi-segment sequences to test parsers against every way the input can be split.</summary>
internal static class TestSequence
{
    public static ReadOnlySequence<byte> Create(byte[] data, IEnumerable<int> cuts)
    {
        var points = cuts.Where(c => c > 0 && c < data.Length).Distinct().Order().ToList();
        if (points.Count == 0)
        {
            return new ReadOnlySequence<byte>(data);
        }

        points.Add(data.Length);
        var first = new Segment(data.AsMemory(0, points[0]), 0);
        Segment last = first;
        for (int i = 1; i < points.Count; i++)
        {
            last = last.Append(data.AsMemory(points[i - 1], points[i] - points[i - 1]));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
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

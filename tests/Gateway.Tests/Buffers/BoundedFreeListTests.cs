using Gateway.Buffers;

namespace Gateway.Tests.Buffers;

public class BoundedFreeListTests
{
    [Fact]
    public void A_kept_object_comes_back_and_offers_beyond_the_bound_are_refused()
    {
        var list = new BoundedFreeList<object>(2);
        object a = new(), b = new(), c = new();

        Assert.True(list.TryAdd(a));
        Assert.True(list.TryAdd(b));
        Assert.False(list.TryAdd(c));
        Assert.Equal(2, list.Count);

        Assert.True(list.TryTake(out object? first));
        Assert.Same(a, first);
        Assert.Equal(1, list.Count);
        Assert.True(list.TryAdd(c));

        list.Clear();
        Assert.Equal(0, list.Count);
        Assert.False(list.TryTake(out _));
    }

    [Fact]
    public void A_zero_bound_keeps_nothing_and_a_negative_one_is_refused()
    {
        var list = new BoundedFreeList<object>(0);
        Assert.False(list.TryAdd(new object()));
        Assert.Equal(0, list.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BoundedFreeList<object>(-1));
    }

    private sealed class Item
    {
        public int InUse;
    }

    [Fact]
    public void Under_concurrent_takes_and_offers_no_object_is_handed_out_twice_and_the_bound_holds()
    {
        const int max = 8;
        var list = new BoundedFreeList<Item>(max);
        int doubleHandouts = 0, overBound = 0;

        Parallel.For(0, 4, _ =>
        {
            for (int i = 0; i < 100_000; i++)
            {
                Item item = list.TryTake(out Item? kept) ? kept : new Item();
                if (Interlocked.Exchange(ref item.InUse, 1) != 0)
                {
                    Interlocked.Increment(ref doubleHandouts);
                }

                if (list.Count > max)
                {
                    Interlocked.Increment(ref overBound);
                }

                Volatile.Write(ref item.InUse, 0);
                list.TryAdd(item);
            }
        });

        Assert.Equal(0, doubleHandouts);
        Assert.Equal(0, overBound);
        int drained = 0;
        while (list.TryTake(out _))
        {
            drained++;
        }

        Assert.InRange(drained, 1, max);
        Assert.Equal(0, list.Count);
    }
}

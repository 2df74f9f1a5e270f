using Gateway.Sessions;

namespace Gateway.Tests.Sessions;

public sealed class AsyncAutoResetSignalTests
{
    // Set only on the test's thread while it is inside Set/SetInline: the waiter reads it on whatever thread it runs.
    [ThreadStatic]
    private static bool s_insideSet;

    [Fact]
    public void SetInline_runs_the_waiting_continuation_on_the_callers_thread_before_it_returns()
    {
        var signal = new AsyncAutoResetSignal();
        bool? sawInsideSet = null;
        Task waiter = WaitAndRecord(signal, v => sawInsideSet = v);
        Assert.False(waiter.IsCompleted);

        s_insideSet = true;
        signal.SetInline();
        s_insideSet = false;

        Assert.True(waiter.IsCompletedSuccessfully);
        Assert.True(sawInsideSet);
    }

    [Fact]
    public async Task Set_queues_the_waiting_continuation_instead_of_running_it_inside_the_call()
    {
        var signal = new AsyncAutoResetSignal();
        bool? sawInsideSet = null;
        Task waiter = WaitAndRecord(signal, v => sawInsideSet = v);

        s_insideSet = true;
        signal.Set();
        s_insideSet = false;

        await waiter.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(sawInsideSet);
    }

    [Fact]
    public async Task A_SetInline_without_a_waiter_lets_the_next_wait_pass_once()
    {
        var signal = new AsyncAutoResetSignal();
        signal.SetInline();
        Assert.True(signal.WaitAsync().IsCompleted);

        ValueTask second = signal.WaitAsync();
        Assert.False(second.IsCompleted);
        signal.Set();
        await second.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task After_an_inline_wake_a_plain_Set_is_asynchronous_again()
    {
        var signal = new AsyncAutoResetSignal();
        bool? first = null, second = null;
        Task waiter = WaitTwiceAndRecord(signal, v => first = v, v => second = v);

        s_insideSet = true;
        signal.SetInline();
        signal.Set();
        s_insideSet = false;

        await waiter.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(first);
        Assert.False(second);
    }

    private static async Task WaitAndRecord(AsyncAutoResetSignal signal, Action<bool> record)
    {
        await signal.WaitAsync().ConfigureAwait(false);
        record(s_insideSet);
    }

    private static async Task WaitTwiceAndRecord(AsyncAutoResetSignal signal, Action<bool> first, Action<bool> second)
    {
        await signal.WaitAsync().ConfigureAwait(false);
        first(s_insideSet);
        // Waits again from inside the inline continuation: the caller's Set below finds this waiter.
        await signal.WaitAsync().ConfigureAwait(false);
        second(s_insideSet);
    }
}

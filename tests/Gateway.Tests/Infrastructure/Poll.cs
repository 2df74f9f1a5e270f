namespace Gateway.Tests.Infrastructure;

/// <summary>Waits for a condition that another component makes true asynchronously, bounded by a timeout.</summary>
public static class Poll
{
    /// <summary>True once <paramref name="condition"/> holds, false when <paramref name="timeout"/> passed first.</summary>
    public static Task<bool> UntilAsync(Func<bool> condition, TimeSpan timeout) =>
        UntilAsync(() => Task.FromResult(condition()), timeout);

    /// <inheritdoc cref="UntilAsync(Func{bool}, TimeSpan)"/>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return await condition();
    }
}

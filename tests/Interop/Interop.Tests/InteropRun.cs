namespace Interop.Tests;

/// <summary>Everything one VM run produced: parsed RESULT lines, client log lines and the whole console.</summary>
public sealed class InteropRun
{
    public required IReadOnlyList<GuestResult> Results { get; init; }

    /// <summary>Console lines starting with <c>LOG u&lt;unit&gt;</c> (sstpc, pppd and wget output).</summary>
    public required IReadOnlyList<string> Logs { get; init; }

    public required string Console { get; init; }

    /// <summary>True when the hard timeout killed qemu.</summary>
    public required bool TimedOut { get; init; }

    public required TimeSpan Elapsed { get; init; }

    /// <summary>True when the guest reached its end and printed <c>RESULT done</c>.</summary>
    public bool Completed => Results.Any(r => r.Step == "done");

    /// <summary>
    /// True when a unit still ended in one of sstpc 1.0.18's two known faults after the guest's retries: its
    /// "event loop terminated unsuccessfully" exit (<c>flaky-exit</c>) or its plugin-mode hang (<c>plugin-hang</c>).
    /// </summary>
    public bool HasFlakyExit => Results.Any(r => r.Status is "flaky-exit" or "plugin-hang" && r.Step != "connect-retry");

    /// <summary>How many times the guest restarted a unit's client after either fault (<c>connect-retry</c> lines).</summary>
    public int GuestRetries => Results.Count(r => r.Step == "connect-retry");

    /// <summary>The part of <see cref="GuestRetries"/> that was the plugin-mode hang.</summary>
    public int GuestHangRetries => Results.Count(r => r.Step == "connect-retry" && r.Status == "plugin-hang");

    public GuestResult? Find(string step, int? unit = null) =>
        Results.FirstOrDefault(r => r.Step == step && (unit is null || r.Unit == unit));

    public IEnumerable<GuestResult> All(string step) => Results.Where(r => r.Step == step);

    /// <summary>A readable summary for assertion messages: the results, then the client logs.</summary>
    public override string ToString() =>
        $"elapsed={Elapsed.TotalSeconds:F1}s timedOut={TimedOut}\n" +
        string.Join('\n', Results.Select(r => "RESULT " + r)) + "\n" + string.Join('\n', Logs);
}

using System.Globalization;

namespace Interop.Tests;

/// <summary>One command the guest runs for every connected unit after connect (guest/init, STEPS).</summary>
public sealed record GuestStep(string Command)
{
    public static GuestStep Disconnect { get; } = new("disconnect");

    /// <summary>Ping <paramref name="count"/> times through the unit's pppN; the target defaults to the PPP peer.</summary>
    public static GuestStep Ping(int count, string? target = null) =>
        new(target is null ? $"ping {count.ToString(CultureInfo.InvariantCulture)}" : $"ping {count.ToString(CultureInfo.InvariantCulture)} {target}");

    /// <summary>HTTP GET through the unit's pppN; the guest reports md5 and size, and "mismatch" when <paramref name="md5"/> differs.</summary>
    public static GuestStep Fetch(string url, string? md5 = null) => new(md5 is null ? $"fetch {url}" : $"fetch {url} {md5}");

    /// <summary>Wait up to <paramref name="seconds"/> for a global IPv6 address on the unit's pppN (SLAAC from the RA).</summary>
    public static GuestStep Addr6(int seconds) => new($"addr6 {seconds.ToString(CultureInfo.InvariantCulture)}");

    public static GuestStep Sleep(int seconds) => new($"sleep {seconds.ToString(CultureInfo.InvariantCulture)}");

    public override string ToString() => Command;
}

namespace Interop.Tests;

/// <summary>Settings of one guest run. The guest always dials 10.0.2.100:443; qemu forwards that to <see cref="TargetHost"/>:<see cref="TargetPort"/>.</summary>
public sealed record InteropScenario
{
    /// <summary>pppd options used when <see cref="PppOptions"/> is null: MS-CHAPv2 only, no compression, no IPv6.</summary>
    public const string DefaultPppOptions =
        "require-mschap-v2 noauth nodefaultroute nodeflate nobsdcomp refuse-eap refuse-pap refuse-chap refuse-mschap noipv6";

    public required string TargetHost { get; init; }
    public required int TargetPort { get; init; }
    public required string User { get; init; }
    public required string Password { get; init; }
    public ClientMode Mode { get; init; } = ClientMode.Direct;

    /// <summary>Whole pppd option list (auth method, <c>+ipv6</c>, ...); null means <see cref="DefaultPppOptions"/>.</summary>
    public string? PppOptions { get; init; }

    /// <summary>Appended to the pppd options (e.g. <c>debug</c>).</summary>
    public string PppExtra { get; init; } = "";

    /// <summary>Extra sstpc arguments (e.g. <c>--log-level 4</c>).</summary>
    public string SstpcOptions { get; init; } = "";

    /// <summary>Parallel sessions; unit N uses pppN.</summary>
    public int Sessions { get; init; } = 1;

    public IReadOnlyList<GuestStep> Steps { get; init; } = [GuestStep.Disconnect];

    /// <summary>Guest-side bound for every unit to get an address.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the guest restarts a unit's client after sstpc's known flaky exit during connect.</summary>
    public int ConnectRetries { get; init; } = 3;

    /// <summary>Hard bound for the whole VM run (boot to power off); qemu is killed when it passes.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
}

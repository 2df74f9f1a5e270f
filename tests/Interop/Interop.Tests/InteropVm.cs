using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Interop.Tests;

/// <summary>
/// Runs the real Linux SSTP client (Debian bookworm sstpc 1.0.18 + pppd 2.4.9) in a qemu guest (TCG, no KVM)
/// against one SSTP server. The guest reaches nothing but 10.0.2.100:443, which qemu forwards through socat to
/// the target. Runs must not overlap: one emulated CPU takes a whole core.
/// </summary>
public static class InteropVm
{
    /// <summary>The address the guest dials; qemu's guestfwd maps it to the scenario's target.</summary>
    public const string GuestServer = "10.0.2.100:443";

    private static readonly SemaphoreSlim OneAtATime = new(1, 1);
    private static readonly Lazy<Task<(string Kernel, string Initrd)>> Image = new(BuildImageAsync);

    /// <summary>tests/Interop, found from the test assembly's folder upwards, or <c>INTEROP_DIR</c>.</summary>
    public static string InteropDirectory { get; } = FindInteropDirectory();

    /// <summary>Builds (or finds cached) kernel and initramfs via build-image.sh.</summary>
    public static Task<(string Kernel, string Initrd)> EnsureImageAsync() => Image.Value;

    /// <summary>Boots one VM for <paramref name="scenario"/> and returns what the guest reported.</summary>
    public static async Task<InteropRun> RunAsync(InteropScenario scenario, CancellationToken cancellationToken = default)
    {
        var (kernel, initrd) = await EnsureImageAsync().ConfigureAwait(false);
        await OneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        var runInitrd = Path.Combine(Path.GetTempPath(), $"interop-{Guid.NewGuid():N}.cpio.gz");
        try
        {
            await using (var file = File.Create(runInitrd))
            {
                await using (var baseImage = File.OpenRead(initrd))
                {
                    await baseImage.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                }

                await file.WriteAsync(NewcArchive.Gzip([("scenario.env", Encoding.UTF8.GetBytes(ScenarioEnv(scenario)))]), cancellationToken).ConfigureAwait(false);
            }

            return await BootAsync(kernel, runInitrd, scenario, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(runInitrd);
            OneAtATime.Release();
        }
    }

    /// <summary>
    /// Runs the scenario again while the run shows sstpc's known "event loop terminated unsuccessfully" exit,
    /// at most <paramref name="maxAttempts"/> times. Returns the last run and how many retries it took.
    /// </summary>
    public static async Task<(InteropRun Run, int Retries)> RunWithRetryAsync(
        InteropScenario scenario, int maxAttempts = 3, CancellationToken cancellationToken = default)
    {
        var retries = 0;
        while (true)
        {
            var run = await RunAsync(scenario, cancellationToken).ConfigureAwait(false);
            if (!run.HasFlakyExit || retries + 1 >= maxAttempts)
            {
                return (run, retries);
            }

            retries++;
        }
    }

    /// <summary>The guest's /scenario.env (sourced by busybox ash), values single-quoted.</summary>
    public static string ScenarioEnv(InteropScenario scenario)
    {
        var env = new StringBuilder();
        void Set(string key, string value) => env.Append(key).Append('=').Append(Quote(value)).Append('\n');
        Set("SERVER", GuestServer);
        Set("SSTP_USER", scenario.User);
        Set("SSTP_PASS", scenario.Password);
        Set("MODE", scenario.Mode == ClientMode.Plugin ? "plugin" : "direct");
        Set("SESSIONS", scenario.Sessions.ToString(CultureInfo.InvariantCulture));
        Set("CONNECT_TIMEOUT", ((int)Math.Ceiling(scenario.ConnectTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        Set("CONNECT_RETRIES", scenario.ConnectRetries.ToString(CultureInfo.InvariantCulture));
        Set("PPP_OPTS", scenario.PppOptions ?? InteropScenario.DefaultPppOptions);
        Set("PPP_EXTRA", scenario.PppExtra);
        Set("SSTPC_OPTS", scenario.SstpcOptions);
        Set("STEPS", string.Join('\n', scenario.Steps.Select(s => s.Command)));
        return env.ToString();
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static async Task<InteropRun> BootAsync(string kernel, string initrd, InteropScenario scenario, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo("qemu-system-x86_64")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "-accel", "tcg", "-cpu", "max", "-m", "256", "-smp", "1", "-nodefaults", "-no-reboot",
            "-display", "none", "-monitor", "none", "-serial", "stdio",
            "-kernel", kernel, "-initrd", initrd,
            "-append", "console=ttyS0 quiet loglevel=0 random.trust_cpu=on panic=-1",
            "-netdev", $"user,id=n0,restrict=on,guestfwd=tcp:{GuestServer}-cmd:socat - TCP:{scenario.TargetHost}:{scenario.TargetPort.ToString(CultureInfo.InvariantCulture)}",
            "-device", "virtio-net-pci,netdev=n0", "-device", "virtio-rng-pci",
        })
        {
            psi.ArgumentList.Add(arg);
        }

        var console = new StringBuilder();
        var results = new List<GuestResult>();
        var logs = new List<string>();
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("qemu-system-x86_64 did not start");
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(scenario.Timeout);
        var timedOut = false;
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false) is { } raw)
            {
                var line = raw.Replace("\r", "", StringComparison.Ordinal).Replace("\0", "", StringComparison.Ordinal);
                console.Append(line).Append('\n');
                if (GuestResult.TryParse(line) is { } result)
                {
                    results.Add(result);
                }
                else if (line.StartsWith("LOG ", StringComparison.Ordinal))
                {
                    logs.Add(line);
                }
            }

            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            timedOut = true;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        var err = await stderr.ConfigureAwait(false);
        if (err.Length > 0)
        {
            console.Append("[qemu stderr] ").Append(err);
        }

        return new InteropRun
        {
            Results = results,
            Logs = logs,
            Console = console.ToString(),
            TimedOut = timedOut,
            Elapsed = stopwatch.Elapsed,
        };
    }

    private static async Task<(string Kernel, string Initrd)> BuildImageAsync()
    {
        var psi = new ProcessStartInfo(Path.Combine(InteropDirectory, "build-image.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("build-image.sh did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        var output = await stdout.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"build-image.sh failed ({process.ExitCode}):\n{await stderr.ConfigureAwait(false)}");
        }

        string? kernel = null, initrd = null;
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith("KERNEL=", StringComparison.Ordinal))
            {
                kernel = line["KERNEL=".Length..];
            }
            else if (line.StartsWith("INITRD=", StringComparison.Ordinal))
            {
                initrd = line["INITRD=".Length..];
            }
        }

        return (kernel ?? throw new InvalidOperationException("build-image.sh printed no KERNEL="),
            initrd ?? throw new InvalidOperationException("build-image.sh printed no INITRD="));
    }

    private static string FindInteropDirectory()
    {
        if (Environment.GetEnvironmentVariable("INTEROP_DIR") is { Length: > 0 } configured)
        {
            return configured;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Interop");
            if (File.Exists(Path.Combine(candidate, "build-image.sh")))
            {
                return candidate;
            }

            if (File.Exists(Path.Combine(dir.FullName, "build-image.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("tests/Interop/build-image.sh not found above " + AppContext.BaseDirectory + "; set INTEROP_DIR");
    }
}

using System.Diagnostics;

namespace Gateway.Tests.Infrastructure;

/// <summary>Runs host commands for tests (ip, ping, curl ...), with a timeout and the output captured.</summary>
public static class Sh
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public Result EnsureSuccess(string what)
        {
            if (ExitCode != 0)
            {
                throw new InvalidOperationException($"{what} failed with exit code {ExitCode}: {StdErr}{StdOut}");
            }

            return this;
        }
    }

    public static Result Run(string file, params string[] args) => RunAsync(TimeSpan.FromSeconds(60), file, args).GetAwaiter().GetResult();

    public static async Task<Result> RunAsync(TimeSpan timeout, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + file);
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
            return new Result(-1, await stdout, $"timed out after {timeout.TotalSeconds} s: {file} {string.Join(' ', args)}\n" + await stderr);
        }

        return new Result(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a long-running process (a server in a namespace); the caller kills it.</summary>
    public static Process Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        Process p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + file);
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }
}

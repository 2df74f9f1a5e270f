using System.Diagnostics;
using System.Text;

namespace Gateway.Tunnel;

/// <summary>
/// Runs a host tool (ip, nft, iptables) at configuration time, never on the packet path. Arguments are passed as a
/// list, never through a shell. A non-zero exit becomes an exception that names the command and its stderr.
/// </summary>
public static class HostCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="file"/> and returns its standard output; throws <see cref="HostCommandException"/> on failure.</summary>
    public static string Run(string file, params string[] arguments)
    {
        (int exit, string stdout, string stderr) = TryRun(file, arguments);
        if (exit != 0)
        {
            throw new HostCommandException(
                $"'{file} {string.Join(' ', arguments)}' exited with {exit}: {stderr.Trim()}", exit);
        }
        return stdout;
    }

    /// <summary>Runs <paramref name="file"/> and returns its exit code and output; -1 when it could not be started.</summary>
    public static (int ExitCode, string StdOut, string StdErr) TryRun(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", e.Message);
        }
        if (process is null)
        {
            return (-1, "", "process did not start");
        }
        using (process)
        {
            var stderr = new StringBuilder();
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (stderr)
                    {
                        stderr.AppendLine(e.Data);
                    }
                }
            };
            process.BeginErrorReadLine();
            string stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                return (-1, stdout, "timed out");
            }
            process.WaitForExit();
            lock (stderr)
            {
                return (process.ExitCode, stdout, stderr.ToString());
            }
        }
    }

    /// <summary>True if <paramref name="file"/> is an executable on PATH.</summary>
    public static bool Exists(string file)
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        if (path is null)
        {
            return false;
        }
        foreach (string directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(directory, file)))
            {
                return true;
            }
        }
        return false;
    }
}

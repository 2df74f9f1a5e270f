using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.State;

/// <summary>
/// A real redis-server child process on 127.0.0.1 and a free port, with its working directory in a fresh temp dir.
/// Finds redis-server on the PATH or installs it with apt-get. Never relies on an already running server.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static string? s_executable;

    private readonly bool _appendOnly;
    private Process? _process;

    private RedisServer(string executable, bool appendOnly)
    {
        Executable = executable;
        _appendOnly = appendOnly;
        Directory = Path.Combine(Path.GetTempPath(), "gw-redis-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Port = FreePort();
    }

    public string Executable { get; }

    public string Directory { get; }

    public int Port { get; }

    /// <summary>StackExchange.Redis configuration for this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a server: no persistence at all, or (appendOnly) an fsync-always AOF in the temp dir.</summary>
    public static async Task<RedisServer> StartAsync(bool appendOnly = false)
    {
        string executable = await FindOrInstallAsync().ConfigureAwait(false);
        var server = new RedisServer(executable, appendOnly);
        await server.StartAgainAsync().ConfigureAwait(false);
        return server;
    }

    /// <summary>(Re)starts the process on the same port and directory.</summary>
    public async Task StartAgainAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("redis-server is already running.");
        }

        var psi = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        foreach (string arg in new[]
        {
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--dir", Directory, "--save", "", "--daemonize", "no", "--protected-mode", "no", "--loglevel", "warning",
            "--appendonly", _appendOnly ? "yes" : "no", "--appendfsync", "always",
        })
        {
            psi.ArgumentList.Add(arg);
        }

        _process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start redis-server.");
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} on port {Port}.");
            }

            if (await PingAsync().ConfigureAwait(false))
            {
                return;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        throw new TimeoutException($"redis-server on port {Port} did not answer PING within 10 s.");
    }

    /// <summary>
    /// A multiplexer configured as the gateway configures it, once it is connected (under load the first connect can
    /// take longer than the store's connect timeout; the store would then fail fast until it is up).
    /// </summary>
    public async Task<StackExchange.Redis.ConnectionMultiplexer> ConnectAsync(Gateway.State.RedisStateOptions options)
    {
        options.Configuration = Configuration;
        StackExchange.Redis.ConnectionMultiplexer connection =
            await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(Gateway.State.RedisStateStore.CreateConfiguration(options)).ConfigureAwait(false);
        var wait = Stopwatch.StartNew();
        // The subscription connection comes up after the interactive one; a SUBSCRIBE in between fails with "No
        // connection is active/available" (the gateway's command listener retries on its next tick, a test would not).
        StackExchange.Redis.RedisChannel probe = StackExchange.Redis.RedisChannel.Literal("connected");
        while (!connection.IsConnected || !connection.GetSubscriber().IsConnected(probe))
        {
            if (wait.Elapsed > TimeSpan.FromSeconds(15))
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw new TimeoutException($"Could not connect to redis-server on port {Port} within 15 s.");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        return connection;
    }

    /// <summary>Kills the server (SIGKILL), like a crash.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Kill();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp dir left behind is harmless.
        }
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port).ConfigureAwait(false);
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray()).ConfigureAwait(false);
            var buffer = new byte[64];
            int n = await stream.ReadAsync(buffer).ConfigureAwait(false);
            return Encoding.ASCII.GetString(buffer, 0, n).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> FindOrInstallAsync()
    {
        if (s_executable is not null)
        {
            return s_executable;
        }

        await InstallGate.WaitAsync().ConfigureAwait(false);
        try
        {
            s_executable ??= Find();
            if (s_executable is null)
            {
                // Install (refreshing the package lists first when the plain install cannot find the package).
                if (await RunAsync("apt-get", "install", "-y", "-o", "DPkg::Lock::Timeout=300", "redis-server").ConfigureAwait(false) != 0)
                {
                    await RunAsync("apt-get", "update", "-o", "DPkg::Lock::Timeout=300").ConfigureAwait(false);
                    await RunAsync("apt-get", "install", "-y", "-o", "DPkg::Lock::Timeout=300", "redis-server").ConfigureAwait(false);
                }

                s_executable = Find() ?? throw new InvalidOperationException(
                    "redis-server is not installed and 'apt-get install -y redis-server' did not provide it.");
            }

            return s_executable;
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static string? Find()
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries).ToList();
        dirs.AddRange(["/usr/bin", "/usr/local/bin", "/usr/sbin", "/bin"]);
        foreach (string dir in dirs)
        {
            string candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static async Task<int> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        try
        {
            using Process p = Process.Start(psi)!;
            Task<string> stdout = p.StandardOutput.ReadToEndAsync();
            Task<string> stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync().ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}

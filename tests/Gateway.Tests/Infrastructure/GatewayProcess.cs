using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The gateway as a separate process (the sstp-gateway.dll next to the tests), for what only a process can show:
/// SIGTERM handling and a crash (SIGKILL). Output is collected for assertions and failure messages.
/// </summary>
public sealed class GatewayProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GatewayProcess(Process process, int port, int managementPort, string dataDirectory)
    {
        _process = process;
        Port = port;
        ManagementPort = managementPort;
        DataDirectory = dataDirectory;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public int ManagementPort { get; }

    public string DataDirectory { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<GatewayProcess> StartAsync(string tunNamespace, string pool, IDictionary<string, string>? settings = null)
    {
        string data = Directory.CreateTempSubdirectory("gwtest-proc-").FullName;
        int port = FreePort(), mgmt = FreePort();
        var args = new Dictionary<string, string>
        {
            ["Gateway:DataDirectory"] = data,
            ["Edge:Listen:0"] = $"127.0.0.1:{port}",
            ["Edge:ManagementListen:0"] = $"127.0.0.1:{mgmt}",
            ["Tunnel:NetworkNamespace"] = tunNamespace,
            ["Tunnel:DeviceName"] = "gwp%d",
            ["Tunnel:Ipv4Pool"] = pool,
            ["Credentials:Users:0:Name"] = GatewayHarness.User,
            ["Credentials:Users:0:Password"] = GatewayHarness.Password,
        };
        foreach (KeyValuePair<string, string> kv in settings ?? new Dictionary<string, string>())
        {
            args[kv.Key] = kv.Value;
        }

        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sstp-gateway.dll"));
        foreach (KeyValuePair<string, string> kv in args)
        {
            psi.ArgumentList.Add($"--{kv.Key}={kv.Value}");
        }

        var gw = new GatewayProcess(Process.Start(psi)!, port, mgmt, data);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !gw.HasExited)
        {
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{mgmt}/readyz")).StatusCode == HttpStatusCode.OK)
                {
                    return gw;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        string output = gw.Output;
        gw.Dispose();
        throw new InvalidOperationException("the gateway process did not become ready:\n" + output);
    }

    public void Signal(string signal) => Sh.Run("kill", "-" + signal, Pid.ToString());

    public Task<bool> WaitForExitAsync(TimeSpan timeout) =>
        _process.WaitForExitAsync(new CancellationTokenSource(timeout).Token).ContinueWith(t => t.IsCompletedSuccessfully);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A host behind the gateway serving random files over HTTP: python3's http.server in a namespace, bound to one
/// address. Files are created with random content; their hashes are known to the test. Removed on dispose.
/// </summary>
public sealed class HttpFileServer : IDisposable
{
    private readonly string _www;
    private readonly Process _process;
    private readonly Dictionary<string, byte[]> _files;

    private HttpFileServer(string www, Process process, Dictionary<string, byte[]> files, string address, int port)
    {
        _www = www;
        _process = process;
        _files = files;
        BaseUrl = $"http://{address}:{port}";
    }

    public string BaseUrl { get; }

    public string Url(string name) => $"{BaseUrl}/{name}";

    public string Md5(string name) => Convert.ToHexString(MD5.HashData(_files[name])).ToLowerInvariant();

    public string Sha256(string name) => Convert.ToHexString(SHA256.HashData(_files[name])).ToLowerInvariant();

    /// <summary>Starts the server in <paramref name="ns"/> and waits until it answers.</summary>
    public static async Task<HttpFileServer> StartAsync(NetNs ns, string address, int port, params (string Name, int Bytes)[] files)
    {
        Tools.Require("python3", "python3-minimal");
        string www = Directory.CreateTempSubdirectory("gwtest-www-").FullName;
        var contents = new Dictionary<string, byte[]>();
        foreach ((string name, int bytes) in files)
        {
            byte[] data = new byte[bytes];
            RandomNumberGenerator.Fill(data);
            await File.WriteAllBytesAsync(Path.Combine(www, name), data);
            contents[name] = data;
        }

        Process process = ns.Start("python3", "-m", "http.server", port.ToString(CultureInfo.InvariantCulture),
            "--bind", address, "--directory", www);
        var server = new HttpFileServer(www, process, contents, address, port);
        string probe = server.Url(files[0].Name);
        DateTime deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline && ns.Exec("python3", "-c",
                   $"import urllib.request; urllib.request.urlopen('{probe}', timeout=2).read(1)").ExitCode != 0)
        {
            await Task.Delay(100);
        }

        return server;
    }

    public void Dispose()
    {
        _process.Kill(entireProcessTree: true);
        _process.Dispose();
        Directory.Delete(_www, recursive: true);
    }
}

namespace Interop.Tests;

/// <summary>
/// The SoftEther SSTP peer started by /work/shared/peers/softether/start.sh --mode bridge, read from its env file
/// (<c>$SE_WORK/env</c>, default /tmp/softether-peer/env).
/// </summary>
public sealed record SoftEtherPeer(string Host, int Port, string User, string Password, string FetchUrl, string FetchMd5, string Peer)
{
    public static SoftEtherPeer Load()
    {
        var work = Environment.GetEnvironmentVariable("SE_WORK") is { Length: > 0 } w ? w : "/tmp/softether-peer";
        var path = Path.Combine(work, "env");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} not found: start the peer with start.sh --mode bridge first");
        }

        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                env[line[..eq]] = line[(eq + 1)..].Trim('\'');
            }
        }

        string Get(string key) => env.TryGetValue(key, out var v) && v.Length > 0
            ? v
            : throw new InvalidOperationException($"{path} has no {key} (bridge mode is needed for the fetch)");

        var server = Get("SE_SERVER");
        var colon = server.LastIndexOf(':');
        return new SoftEtherPeer(server[..colon], int.Parse(server[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture),
            Get("SE_USER"), Get("SE_PASS"), Get("SE_FETCH_URL"), Get("SE_FETCH_MD5"), Get("SE_PEER"));
    }

    public InteropScenario Scenario(params GuestStep[] steps) => new()
    {
        TargetHost = Host,
        TargetPort = Port,
        User = User,
        Password = Password,
        Steps = steps,
    };
}

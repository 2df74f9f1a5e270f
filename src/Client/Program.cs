using System.Globalization;
using Client;
using Gateway.Ppp.Auth;
using Gateway.Tunnel;
using Microsoft.Extensions.Logging;

// sstp-client: connects to an SSTP server with the project's own client. With --tun the tunnel is attached to a TUN
// device so the kernel's TCP/IP runs through it; without, it reports the address it got and holds the call.
return await ClientCommand.RunAsync(args);

internal static class ClientCommand
{
    private const string Usage = """
        usage: sstp-client --server HOST[:PORT] --user USER (--password PASS | --password-file FILE)
                           [--server-name NAME] [--insecure | --pin SHA256] [--auth mschapv2,eap,chap,pap]
                           [--tun NAME [--netns NS] [--mtu 1400] [--route CIDR]... [--no-offload]] [--ipv6] [--once] [--verbose]
          --insecure       accept any server certificate (the crypto binding still covers the one seen)
          --pin SHA256     accept exactly the certificate with this SHA-256 fingerprint (as the gateway prints it)
          --tun NAME       create TUN device NAME with the tunnel address and route CIDRs through it; its MTU is
                           --mtu but at most the server's MRU
          --no-offload     open the TUN device without offloads (one read/write per packet, no super-packets)
          --ipv6           negotiate IPv6CP and form an IPv6 address from the server's Router Advertisement (SLAAC),
                           put on the TUN device as a /64; --route takes IPv6 CIDRs too
          --once           connect, print the result and disconnect (exit 0 when the tunnel came up): a health probe
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        Dictionary<string, List<string>> opts;
        try
        {
            opts = Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine("sstp-client: " + ex.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        string? server = One(opts, "server");
        string? user = One(opts, "user");
        string? password = One(opts, "password");
        if (One(opts, "password-file") is { } file)
        {
            password = File.ReadAllText(file).TrimEnd('\r', '\n');
        }

        if (server is null || user is null || password is null)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        (string host, int port) = SplitHostPort(server);
        using ILoggerFactory loggerFactory = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(opts.ContainsKey("verbose") ? LogLevel.Debug : LogLevel.Warning));
        var settings = new SstpClientSettings
        {
            Host = host,
            Port = port,
            ServerName = One(opts, "server-name"),
            User = user,
            Password = password,
            SkipCertificateValidation = opts.ContainsKey("insecure"),
            PinnedSha256 = One(opts, "pin"),
            AuthMethods = One(opts, "auth") is { } list ? ParseMethods(list) : SstpClientSettings.DefaultAuthMethods,
            TunOffload = !opts.ContainsKey("no-offload"),
            Ppp = new Gateway.Ppp.PppClientOptions { Ipv6Enabled = opts.ContainsKey("ipv6") },
        };

        SstpTunnelClient client;
        try
        {
            client = await SstpTunnelClient.ConnectAsync(settings, loggerFactory);
        }
        catch (SstpClientException ex)
        {
            Console.Error.WriteLine("sstp-client: " + ex.Message);
            return 1;
        }

        await using (client)
        {
            Console.WriteLine($"connected: address {client.Address} gateway {client.GatewayAddress} dns {client.PrimaryDns} {client.SecondaryDns} tls {client.TlsDescription}");
            if (opts.ContainsKey("once"))
            {
                await client.DisconnectAsync();
                Console.WriteLine("disconnected: " + client.CloseReason);
                return 0;
            }

            TunDevice? tun = null;
            if (One(opts, "tun") is { } tunName)
            {
                int mtu = int.Parse(One(opts, "mtu") ?? "1400", CultureInfo.InvariantCulture);
                string? ns = One(opts, "netns");
                tun = client.OpenTun(tunName, mtu, ns);
                string[] nsArgs = ns is null ? [] : ["-n", ns];
                foreach (string route in opts.GetValueOrDefault("route") ?? [])
                {
                    HostCommand.Run("ip", [.. nsArgs, "route", "add", route, "dev", tun.Name]);
                }

                Console.WriteLine($"tunnel attached to {tun.Name} (MTU {tun.Mtu}, offloads {tun.Offloads})");
                if (opts.ContainsKey("ipv6"))
                {
                    for (int i = 0; i < 100 && !client.Ipv6Configured && client.Ipv6ConfigurationError is null; i++)
                    {
                        await Task.Delay(100);
                    }

                    Console.WriteLine(client.Ipv6Configured ? $"ipv6: address {client.Ipv6Address}/64 on {tun.Name}"
                        : "ipv6: no address yet" + (client.Ipv6ConfigurationError is { } e ? ": " + e : ""));
                }
            }

            using var stop = new CancellationTokenSource();
            using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
                System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
            await Task.WhenAny(client.Completion, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));
            if (stop.IsCancellationRequested)
            {
                await client.DisconnectAsync();
            }

            Console.WriteLine("disconnected: " + client.CloseReason);
            tun?.Dispose();
            return stop.IsCancellationRequested ? 0 : 1;
        }
    }

    private static Dictionary<string, List<string>> Parse(string[] args)
    {
        var flags = new HashSet<string> { "insecure", "once", "verbose", "no-offload", "ipv6" };
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }

            string name = args[i][2..];
            if (flags.Contains(name))
            {
                result[name] = [];
                continue;
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"--{name} needs a value");
            }

            if (!result.TryGetValue(name, out List<string>? values))
            {
                result[name] = values = [];
            }

            values.Add(args[++i]);
        }

        return result;
    }

    private static string? One(Dictionary<string, List<string>> opts, string name) =>
        opts.TryGetValue(name, out List<string>? v) && v.Count > 0 ? v[^1] : null;

    private static (string Host, int Port) SplitHostPort(string server)
    {
        int colon = server.LastIndexOf(':');
        if (colon > 0 && !server.EndsWith(']') && int.TryParse(server.AsSpan(colon + 1), CultureInfo.InvariantCulture, out int port))
        {
            return (server[..colon].Trim('[', ']'), port);
        }

        return (server.Trim('[', ']'), 443);
    }

    private static AuthMethod[] ParseMethods(string list) => [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries)
        .Select(m => m.Trim().ToLowerInvariant() switch
        {
            "mschapv2" or "ms-chapv2" => AuthMethod.MsChapV2,
            "eap" or "eap-mschapv2" => AuthMethod.EapMsChapV2,
            "chap" or "chap-md5" => AuthMethod.ChapMd5,
            "pap" => AuthMethod.Pap,
            _ => throw new ArgumentException($"unknown authentication method '{m}'"),
        })];
}

using SstpBench;

const string Usage = """
    sstp-bench MODE --server HOST[:PORT] --user U --password P [options]
      setup       --workers N --duration S [--max-connects N] [--resume off|on|both]
                  [--full-handshakes fresh-names|no-resume]   (how `--resume off` avoids resumption; see SetupMode)
      throughput  --sessions S --duration S [--sizes 64,512,1400] [--directions up,down,both] [--sink IP] [--sink-port 9000] [--rate-pps N]
                  [--warmup 3]   (unmeasured traffic both ways first)
      idle        --sessions N [--parallel 16] [--hold S]
      latency     --sessions S --duration S [--interval-ms 20] [--load none,others,self,tcp] [--load-size 1400] [--sink IP]
                  [--streams 1] [--iperf3-port 5201]   (tcp: iperf3 -R through the pinging session, on a TUN)
      tcp         --duration S [--directions up,down] [--sessions 1,4] [--streams 1,4] [--iperf3-port 5201] [--sink IP] [--warmup 2]
                  (each session on a TUN in a client namespace of its own, iperf3 -c from there to iperf3 -s behind the
                  server; N sessions run N clients together, session i to port --iperf3-port + i, figures summed)
      sink        [--port 9000] [--control /tmp/sstp-bench-sink.sock] [--max-seconds 3600]   (run behind the server)
    common: --server-pid PID[,PID] (CPU and RSS of it and its children), --json FILE, --sni NAME,
            --send-queue-kb 1024, --connect-timeout 30, --sink-control PATH, --label TEXT,
            --server-metrics URL (the gateway's /metrics: egress queue drops), --netns NAME, --mtu 1400, --no-tun-offload (tcp loads)
    The server certificate is not validated (benchmark only).
    """;

BenchOptions options;
try
{
    options = new BenchOptions(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(Usage);
    return 2;
}

if (options.Mode == "sink")
{
    return SinkMode.Run(options);
}

if (options.Mode == "setup")
{
    SetupMode.PrepareProcess();
}

var report = new Report();
try
{
    var target = new Target(options);
    var server = new ServerProcess(options.Get("server-pid"));
    string? json = options.Get("json");
    report.Meta("mode", options.Mode);
    report.Meta("server", target.Describe());
    report.Meta("started_utc", DateTime.UtcNow.ToString("O"));
    report.Meta("label", options.Get("label"));
    Task run = options.Mode switch
    {
        "setup" => SetupMode.RunAsync(options, target, server, report),
        "throughput" => ThroughputMode.RunAsync(options, target, server, report),
        "idle" => IdleMode.RunAsync(options, target, server, report),
        "latency" => LatencyMode.RunAsync(options, target, server, report),
        "tcp" => TcpMode.RunAsync(options, target, server, report),
        _ => throw new ArgumentException($"unknown mode '{options.Mode}'"),
    };
    foreach (string unused in options.Unused)
    {
        Console.Error.WriteLine($"warning: option --{unused} is not used by mode {options.Mode}");
    }
    await run;
    Console.WriteLine();
    report.Print(Console.Out);
    if (json is not null)
    {
        report.WriteJson(json);
    }
    return 0;
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(Usage);
    return 2;
}
catch (Exception ex) when (ex is InvalidOperationException or IOException or System.Net.Sockets.SocketException
    or Gateway.Tunnel.HostCommandException)
{
    Console.Error.WriteLine("sstp-bench: " + ex.Message);
    report.Print(Console.Out);
    return 1;
}

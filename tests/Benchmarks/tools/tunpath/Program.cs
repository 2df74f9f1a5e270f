// tunpath: the TUN data path of the gateway (Gateway.Tunnel.TunDevice) in isolation, one queue, 1400-byte packets.
//
//   ip netns add tunpath && ip netns exec tunpath ip link set lo up
//   ip netns exec tunpath dotnet tests/Benchmarks/tools/tunpath/bin/Release/net10.0/TunPath.dll read  --offload 1 --gso 1
//   ip netns exec tunpath dotnet .../TunPath.dll write --offload 1
//   ip netns del tunpath
//
// read:  a sender thread floods UDP to 10.213.40.2:9000 (routed into the TUN; with --gso 1 as 64 KB UDP_SEGMENT sends);
//        the device's reader thread delivers packets to a counting handler. Prints packets delivered per second, reads
//        per second and the reader thread's CPU per delivered packet (from /proc/self/task/*/stat).
// write: one thread writes a prebuilt UDP packet 10.213.40.2 -> 10.213.40.1:9001 with TunDevice.Write in a loop; a
//        socket counts arrivals. Prints writes per second and the writer thread's CPU per write.
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Gateway.Tunnel;

string mode = args.Length > 0 ? args[0] : "read";
bool offload = Arg("--offload", 1) != 0;
bool gso = Arg("--gso", 0) != 0;
int seconds = Arg("--seconds", 5);
const int Size = 1400;

using TunDevice tun = TunDevice.Create("tunpath0", 1400, 1, "10.213.40.1/24", null, null, offload);
Console.WriteLine($"mode {mode}, offloads {tun.Offloads}, gso sender {gso}, {seconds} s");
HostCommand.Run("ip", "link", "set", "dev", tun.Name, "txqueuelen", "10000");
long handled = 0;
tun.Start(_ => handled++);
Thread.Sleep(200);
var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));

if (mode == "read")
{
    var sender = new Thread(() =>
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.SendBufferSize = 8 * 1024 * 1024;
        int datagram = Size - 28;
        int perSend = 1;
        if (gso)
        {
            udp.SetRawSocketOption(17, 103, BitConverter.GetBytes(datagram)); // SOL_UDP, UDP_SEGMENT
            perSend = 65507 / datagram;
        }
        byte[] payload = new byte[datagram * perSend];
        var target = new IPEndPoint(IPAddress.Parse("10.213.40.2"), 9000);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                udp.SendTo(payload, target);
            }
            catch (SocketException)
            {
                Thread.Yield(); // ENOBUFS: the TUN queue is full
            }
        }
    }) { IsBackground = true };
    Thread.Sleep(100);
    (long reads0, long packets0, double cpu0) = (tun.Reads, tun.PacketsDelivered, ThreadCpuSeconds("tun " + tun.Name));
    var watch = Stopwatch.StartNew();
    sender.Start();
    sender.Join();
    double elapsed = watch.Elapsed.TotalSeconds;
    long reads = tun.Reads - reads0, packets = tun.PacketsDelivered - packets0;
    double cpu = ThreadCpuSeconds("tun " + tun.Name) - cpu0;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"read: {packets / elapsed / 1e6:F3} Mpps delivered ({packets * Size * 8 / elapsed / 1e9:F2} Gbit/s), {reads / elapsed / 1e6:F3} M reads/s, reader CPU {cpu / elapsed * 100:F0}%, {cpu * 1e6 / Math.Max(1, packets):F2} us/packet, malformed {tun.MalformedReads}"));
}
else
{
    using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    sink.ReceiveBufferSize = 64 * 1024 * 1024;
    sink.Bind(new IPEndPoint(IPAddress.Parse("10.213.40.1"), 9001));
    long received = 0;
    var counter = new Thread(() =>
    {
        byte[] b = new byte[2048];
        try
        {
            while (true)
            {
                sink.Receive(b);
                Interlocked.Increment(ref received);
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }) { IsBackground = true };
    counter.Start();
    byte[] packet = Udp4(0x0AD52802, 0x0AD52801, 5555, 9001, Size - 28);
    long writes = 0;
    double cpu = 0;
    var watch = Stopwatch.StartNew();
    var writer = new Thread(() =>
    {
        double start = SelfThreadCpuSeconds();
        while (!stop.IsCancellationRequested)
        {
            for (int i = 0; i < 64; i++)
            {
                if (tun.Write(packet))
                {
                    writes++;
                }
            }
        }
        cpu = SelfThreadCpuSeconds() - start;
    });
    writer.Start();
    writer.Join();
    double elapsed = watch.Elapsed.TotalSeconds;
    Thread.Sleep(200);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"write: {writes / elapsed / 1e6:F3} M writes/s ({writes * Size * 8 / elapsed / 1e9:F2} Gbit/s), received {Interlocked.Read(ref received) / elapsed / 1e6:F3} Mpps, writer CPU {cpu * 1e6 / Math.Max(1, writes):F2} us/write"));
}

int Arg(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

// utime + stime of the threads whose name starts with prefix (clock ticks of 10 ms).
static double ThreadCpuSeconds(string prefix)
{
    double total = 0;
    foreach (string task in Directory.GetDirectories("/proc/self/task"))
    {
        if (File.ReadAllText(Path.Combine(task, "comm")).Trim().StartsWith(prefix[..Math.Min(prefix.Length, 15)], StringComparison.Ordinal))
        {
            total += StatCpu(File.ReadAllText(Path.Combine(task, "stat")));
        }
    }
    return total;
}

static double SelfThreadCpuSeconds() => StatCpu(File.ReadAllText("/proc/thread-self/stat"));

static double StatCpu(string stat)
{
    string[] f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / 100.0;
}

static byte[] Udp4(uint source, uint destination, ushort sourcePort, ushort destinationPort, int payloadLength)
{
    byte[] p = new byte[28 + payloadLength];
    p[0] = 0x45;
    BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
    p[8] = 64;
    p[9] = 17;
    BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(12), source);
    BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(16), destination);
    IpPacket.WriteIpv4HeaderChecksum(p);
    BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(20), sourcePort);
    BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(22), destinationPort);
    BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(24), (ushort)(8 + payloadLength));
    return p; // UDP checksum 0: none (RFC 768)
}

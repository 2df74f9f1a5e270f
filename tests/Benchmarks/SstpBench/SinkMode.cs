using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace SstpBench;

/// <summary>
/// `sstp-bench sink`: runs behind the server (in its network namespace). Counts the UDP datagrams that arrive on
/// --port (uplink traffic), and on request floods UDP datagrams to tunnel clients (downlink traffic). Controlled over
/// a Unix socket (--control PATH; file-system sockets cross network namespaces): one line per connection,
/// `RESET`, `STATS` (answers "packets bytes kernel-RcvbufErrors kernel-InDatagrams"), `BLAST ip port size seconds [gso]`,
/// `RATE pps` (total downlink rate over all targets, 0 = as fast as the socket takes them), `STOP`.
/// With `--gso` (or a BLAST with the trailing word `gso`) the downlink flood uses UDP GSO (UDP_SEGMENT, Linux 4.18+):
/// one ~64 KB send carries up to 64 datagrams of `size`, which the kernel hands to an offloading TUN device as one
/// super-packet, so the downlink can be measured with and without the gateway's user-space segmentation.
/// With `--idle-blast` the flooding thread runs under SCHED_IDLE: an unpaced flood offers far more than one session
/// takes (the excess is dropped at the TUN queue), and on the shared 2 vCPUs that excess took a quarter of the box from
/// the server and the client (docs/benchmarks.md section 10); idle priority gives it only the CPU they leave.
/// </summary>
internal static class SinkMode
{
    public const string DefaultControl = "/tmp/sstp-bench-sink.sock";

    private static long s_packets;
    private static double s_ratePps;
    private static long s_bytes;
    private static bool s_gsoDefault;
    private static bool s_idleBlast;
    private static bool s_gro;
    private static readonly List<(IPEndPoint Target, int Size, long UntilMs, bool Gso)> Targets = [];

    /// <summary>linux/udp.h: SOL_UDP and the UDP_SEGMENT socket option (gso_size, an int).</summary>
    private const int SolUdp = 17;

    /// <summary>linux/sched.h SCHED_IDLE; sched_setscheduler(0, ...) applies to the calling thread (a Linux task).</summary>
    private const int SchedIdle = 5;
    private static int s_schedParam; // struct sched_param { int sched_priority; } = 0, as SCHED_IDLE requires

    [DllImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static extern int SchedSetScheduler(int pid, int policy, ref int param);
    private const int UdpSegment = 103;
    private const int UdpGro = 104;

    /// <summary>UDP_MAX_SEGMENTS of older kernels (newer allow 128), and the largest IPv4 UDP payload.</summary>
    private const int MaxSegmentsPerSend = 64;
    private const int MaxUdpPayload = 65507;

    public static int Run(BenchOptions o)
    {
        int port = o.GetInt("port", 9000);
        string control = o.Get("control", DefaultControl);
        int maxSeconds = o.GetInt("max-seconds", 3600);
        s_gsoDefault = o.Flag("gso");
        s_idleBlast = o.Flag("idle-blast");
        s_gro = o.Flag("gro");
        File.Delete(control);

        var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.ReceiveBufferSize = 8 * 1024 * 1024;
        udp.Bind(new IPEndPoint(IPAddress.Any, port));
        var counter = new Thread(() => Count(udp)) { IsBackground = true, Name = "sink-count" };
        counter.Start();
        var blaster = new Thread(Blast) { IsBackground = true, Name = "sink-blast" };
        blaster.Start();

        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(control));
        listener.Listen(16);
        Console.Error.WriteLine($"sink: UDP :{port}, control {control}, exits after {maxSeconds} s{(s_gsoDefault ? ", GSO downlink" : "")}{(s_idleBlast ? ", flood at idle priority" : "")}{(s_gro ? ", UDP GRO receive" : "")}");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(maxSeconds));
        try
        {
            while (!stop.IsCancellationRequested)
            {
                using Socket c = listener.AcceptAsync(stop.Token).AsTask().GetAwaiter().GetResult();
                var buffer = new byte[256];
                int n = c.Receive(buffer);
                string[] cmd = Encoding.ASCII.GetString(buffer, 0, n).Trim().Split(' ');
                string answer = Handle(cmd, stop);
                c.Send(Encoding.ASCII.GetBytes(answer + "\n"));
            }
        }
        catch (OperationCanceledException)
        {
        }
        File.Delete(control);
        return 0;
    }

    private static string Handle(string[] cmd, CancellationTokenSource stop)
    {
        switch (cmd[0])
        {
            case "RESET":
                Interlocked.Exchange(ref s_packets, 0);
                Interlocked.Exchange(ref s_bytes, 0);
                return "OK";
            case "STATS":
                return string.Create(CultureInfo.InvariantCulture,
                    $"{Interlocked.Read(ref s_packets)} {Interlocked.Read(ref s_bytes)} {UdpCounter("RcvbufErrors")} {(s_gro ? Interlocked.Read(ref s_packets) : UdpCounter("InDatagrams"))}");
            case "BLAST" when cmd.Length is 5 or 6:
                var target = new IPEndPoint(IPAddress.Parse(cmd[1]), int.Parse(cmd[2], CultureInfo.InvariantCulture));
                int size = Math.Clamp(int.Parse(cmd[3], CultureInfo.InvariantCulture), 28, 1500);
                long until = Environment.TickCount64 + (long)(double.Parse(cmd[4], CultureInfo.InvariantCulture) * 1000);
                lock (Targets)
                {
                    Targets.Add((target, size, until, s_gsoDefault || (cmd.Length == 6 && cmd[5] == "gso")));
                    Monitor.PulseAll(Targets);
                }
                return "OK";
            case "RATE" when cmd.Length == 2:
                Volatile.Write(ref s_ratePps, double.Parse(cmd[1], CultureInfo.InvariantCulture));
                return "OK";
            case "STOP":
                stop.Cancel();
                return "OK";
            default:
                return "ERR unknown command";
        }
    }

    /// <summary>
    /// A Udp counter of this network namespace (/proc/net/snmp). InDatagrams + RcvbufErrors is every datagram the server
    /// delivered to the kernel here, counted even when the sink process is too slow to read them all (RcvbufErrors).
    /// </summary>
    private static long UdpCounter(string name)
    {
        string[] lines = File.ReadAllLines("/proc/net/snmp");
        for (int i = 0; i + 1 < lines.Length; i++)
        {
            if (lines[i].StartsWith("Udp:", StringComparison.Ordinal) && lines[i + 1].StartsWith("Udp:", StringComparison.Ordinal))
            {
                int column = Array.IndexOf(lines[i].Split(' '), name);
                return column > 0 ? long.Parse(lines[i + 1].Split(' ')[column], CultureInfo.InvariantCulture) : -1;
            }
        }
        return -1;
    }

    private static void Count(Socket udp)
    {
        if (s_gro)
        {
            CountGro(udp);
            return;
        }

        var buffer = new byte[65536];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (true)
        {
            int n = udp.ReceiveFrom(buffer, ref any);
            Interlocked.Increment(ref s_packets);
            Interlocked.Add(ref s_bytes, n + 28);
        }
    }

    /// <summary>
    /// With UDP_GRO on the socket the kernel hands over a server's USO super-packet (or datagrams it merged) in one
    /// read, with the segment size in a UDP_GRO control message (udp(7)); the datagrams are counted from it. The
    /// kernel's InDatagrams then counts reads, not datagrams, so STATS answers this count in its place.
    /// </summary>
    private static void CountGro(Socket udp)
    {
        udp.SetRawSocketOption(SolUdp, UdpGro, BitConverter.GetBytes(1));
        int fd = (int)udp.Handle;
        byte[] data = GC.AllocateUninitializedArray<byte>(65536, pinned: true);
        byte[] control = GC.AllocateUninitializedArray<byte>(64, pinned: true);
        var iov = new IoVec { Base = Marshal.UnsafeAddrOfPinnedArrayElement(data, 0), Length = (nuint)data.Length };
        GCHandle iovHandle = GCHandle.Alloc(iov, GCHandleType.Pinned);
        try
        {
            while (true)
            {
                var msg = new MsgHdr
                {
                    Iov = iovHandle.AddrOfPinnedObject(),
                    IovLength = 1,
                    Control = Marshal.UnsafeAddrOfPinnedArrayElement(control, 0),
                    ControlLength = (nuint)control.Length,
                };
                nint n = RecvMsg(fd, ref msg, 0);
                if (n < 0)
                {
                    continue; // EINTR
                }
                // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } then the int gso_size.
                int segment = 0;
                if (msg.ControlLength >= 20 && BitConverter.ToInt32(control, 8) == SolUdp && BitConverter.ToInt32(control, 12) == UdpGro)
                {
                    segment = BitConverter.ToInt32(control, 16);
                }
                long datagrams = segment > 0 ? (n + segment - 1) / segment : 1;
                Interlocked.Add(ref s_packets, datagrams);
                Interlocked.Add(ref s_bytes, n + 28 * datagrams);
            }
        }
        finally
        {
            iovHandle.Free();
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public nint Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public nint Name;
        public int NameLength;
        public nint Iov;
        public nuint IovLength;
        public nint Control;
        public nuint ControlLength;
        public int Flags;
    }

    [DllImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static extern nint RecvMsg(int fd, ref MsgHdr msg, int flags);

    /// <summary>Sends round robin to every target whose time has not run out, as fast as the socket takes them.</summary>
    private static void Blast()
    {
        if (s_idleBlast && SchedSetScheduler(0, SchedIdle, ref s_schedParam) != 0)
        {
            Console.Error.WriteLine($"sink: SCHED_IDLE refused (errno {Marshal.GetLastPInvokeError()}), flooding at normal priority");
        }
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.SendBufferSize = 4 * 1024 * 1024;
        // GSO sends go through a second socket whose UDP_SEGMENT follows the size of the target being served.
        using var gso = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        gso.SendBufferSize = 4 * 1024 * 1024;
        int gsoSize = 0;
        var payload = new byte[MaxUdpPayload];
        var active = new List<(IPEndPoint Target, int Size, long UntilMs, bool Gso)>();
        long pacedSince = 0, pacedSent = 0, lastRound = 0;
        while (true)
        {
            lock (Targets)
            {
                long now = Environment.TickCount64;
                Targets.RemoveAll(t => t.UntilMs <= now);
                if (Targets.Count == 0)
                {
                    Monitor.Wait(Targets, 500);
                    continue;
                }
                active.Clear();
                active.AddRange(Targets);
            }
            int quota = 64 * active.Count;
            double rate = Volatile.Read(ref s_ratePps);
            if (rate > 0)
            {
                long now = Stopwatch.GetTimestamp();
                if (pacedSince == 0 || Stopwatch.GetElapsedTime(lastRound, now).TotalSeconds > 1)
                {
                    // (Re)start the pacing clock at the first round, and after an idle gap.
                    pacedSince = now;
                    pacedSent = 0;
                }
                lastRound = now;
                long due = (long)(Stopwatch.GetElapsedTime(pacedSince, now).TotalSeconds * rate) - pacedSent;
                if (due <= 0)
                {
                    Thread.Sleep(1);
                    continue;
                }
                quota = (int)Math.Min(quota, due);
            }
            else
            {
                pacedSince = 0;
            }
            int sent = 0;
            for (int round = 0; sent < quota; round++)
            {
                foreach (var t in active)
                {
                    if (sent >= quota)
                    {
                        break;
                    }
                    try
                    {
                        int datagram = t.Size - 28;
                        if (t.Gso && datagram > 0)
                        {
                            if (gsoSize != datagram)
                            {
                                gso.SetRawSocketOption(SolUdp, UdpSegment, BitConverter.GetBytes(datagram));
                                gsoSize = datagram;
                            }
                            int segments = Math.Min(MaxSegmentsPerSend, MaxUdpPayload / datagram);
                            sent += segments;
                            gso.SendTo(payload.AsSpan(0, segments * datagram), SocketFlags.None, t.Target);
                        }
                        else
                        {
                            sent++;
                            udp.SendTo(payload.AsSpan(0, datagram), SocketFlags.None, t.Target);
                        }
                    }
                    catch (SocketException)
                    {
                        // ENOBUFS / no neighbour yet: the datagram is lost, as it would be on a real link.
                    }
                }
            }
            pacedSent += sent;
        }
    }
}

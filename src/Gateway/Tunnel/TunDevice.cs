using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tunnel;

/// <summary>
/// A Linux TUN device (/dev/net/tun, IFF_TUN | IFF_NO_PI, IFF_MULTI_QUEUE with several queues). Each queue has one
/// reader thread that reads into its own pinned buffer and hands each packet to the handler; writes go straight to
/// a queue fd with one write(2) per packet from any thread. The fds are non-blocking: a reader reads until EAGAIN
/// and only then sleeps in poll(2) (on its fd and a shutdown eventfd), so a busy queue costs one syscall per packet.
/// The device is not persistent: the kernel deletes it when <see cref="Dispose"/> closes the last fd.
/// With offloads (IFF_VNET_HDR + TUNSETOFFLOAD) every read and write carries a <see cref="VirtioNetHeader"/>: one read
/// can return a TCP or UDP super-packet of up to 64 KB, which the reader splits with <see cref="GsoSegmenter"/> into
/// ordinary IP packets for the handler, and partial checksums are completed; writes put an all-zero header (no GSO,
/// checksum complete) in front of the packet (small packets copied behind it into a per-thread buffer, super-packets
/// with writev(2)).
/// </summary>
public sealed unsafe class TunDevice : ITunDevice
{
    /// <summary>Largest IP packet a read can return (IPv4/IPv6 16-bit length without jumbograms; the TUN driver's
    /// gso_max_size is the same 64 KB), plus the virtio header when offloads are on.</summary>
    private const int ReadBufferSize = 65536 + VirtioNetHeader.Size;

    /// <summary>What is tried with TUNSETOFFLOAD, best first: with USO (Linux 6.2+), then TSO only.</summary>
    private static readonly TunOffloads[] OffloadCandidates =
    [
        TunOffloads.Checksum | TunOffloads.Tso4 | TunOffloads.Tso6 | TunOffloads.TsoEcn | TunOffloads.Uso4 | TunOffloads.Uso6,
        TunOffloads.Checksum | TunOffloads.Tso4 | TunOffloads.Tso6 | TunOffloads.TsoEcn,
    ];

    /// <summary>Read-side counters of one queue, written only by its reader thread (cache-line sized so queues do not
    /// share a line).</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 64)]
    private struct QueueStats
    {
        [System.Runtime.InteropServices.FieldOffset(0)] public long Reads;
        [System.Runtime.InteropServices.FieldOffset(8)] public long Packets;
        [System.Runtime.InteropServices.FieldOffset(16)] public long SuperPackets;
        [System.Runtime.InteropServices.FieldOffset(24)] public long Malformed;
        [System.Runtime.InteropServices.FieldOffset(32)] public long SegmentsSkipped;
        [System.Runtime.InteropServices.FieldOffset(40)] public long Pauses;
        [System.Runtime.InteropServices.FieldOffset(48)] public long ReadBytes;
    }

    /// <summary>Refused reads in a row after which a reader pauses for a millisecond (see <see cref="ReadLoop"/>).</summary>
    internal const int FloodBurst = 64;

    private readonly int[] _fds;
    private readonly int _stopFd;
    private readonly ILogger _logger;
    private readonly Thread?[] _readers;
    private readonly QueueStats[] _stats;
    private TunDispatchHandler? _handler;
    private TunAdmissionHandler? _admit;
    private Action? _readCompleted;
    private readonly string? _networkNamespace;
    private TunRingSizer? _ringSizer;
    private int _controlFd = -1;
    private readonly object _controlLock = new();
    private int _appliedRingLength;
    private int _resizeQueued;
    private long _ringResizes;
    private volatile bool _disposed;
    private int _started;
    private int _activeWriters;

    private TunDevice(string name, int mtu, int[] fds, int stopFd, TunOffloads offloads, string? networkNamespace, ILogger logger)
    {
        Name = name;
        _networkNamespace = networkNamespace;
        Mtu = mtu;
        _fds = fds;
        _stopFd = stopFd;
        Offloads = offloads;
        _logger = logger;
        _readers = new Thread?[fds.Length];
        _stats = new QueueStats[fds.Length];
    }

    public string Name { get; }

    public int Mtu { get; }

    /// <summary>Number of queues (fds).</summary>
    public int QueueCount => _fds.Length;

    /// <summary>The offloads the kernel accepted; <see cref="TunOffloads.None"/> when the queues carry plain packets
    /// (no IFF_VNET_HDR).</summary>
    public TunOffloads Offloads { get; }

    /// <summary>read(2) calls that returned data, over all queues.</summary>
    public long Reads => Sum(static s => s.Reads);

    /// <summary>IP packets handed to the handler (segments of super-packets count one each).</summary>
    public long PacketsDelivered => Sum(static s => s.Packets);

    /// <summary>Reads that returned a GSO super-packet.</summary>
    public long SuperPackets => Sum(static s => s.SuperPackets);

    /// <summary>Reads dropped because their virtio header or super-packet was malformed.</summary>
    public long MalformedReads => Sum(static s => s.Malformed);

    /// <summary>Segments of super-packets dropped unsegmented because an earlier segment's destination refused it.</summary>
    public long SegmentsSkipped => Sum(static s => s.SegmentsSkipped);

    /// <summary>Bytes returned by read(2) calls (virtio headers included), over all queues.</summary>
    public long BytesRead => Sum(static s => s.ReadBytes);

    /// <summary>Times <see cref="SizeRingTo"/>'s sizer changed the ring's length.</summary>
    public long RingResizes => Interlocked.Read(ref _ringResizes);

    /// <summary>Times a reader paused for a millisecond because its reads were being refused (a session's queue
    /// full): at the end of the device's backlog, or after <see cref="FloodBurst"/> refused reads in a row.</summary>
    public long FloodPauses => Sum(static s => s.Pauses);

    private long Sum(Func<QueueStats, long> field)
    {
        long total = 0;
        for (int i = 0; i < _stats.Length; i++)
        {
            total += field(_stats[i]);
        }
        return total;
    }

    /// <summary>
    /// Opens the device with <see cref="TunnelOptions.Queues"/> queues, gives it the gateway address with the pool's
    /// prefix, sets the MTU and brings it up (with the <c>ip</c> tool, in <see cref="TunnelOptions.NetworkNamespace"/>
    /// when set); with <see cref="TunnelOptions.Ipv6Prefix"/> it also routes the IPv6 prefix pool into the device.
    /// On failure nothing is left behind.
    /// </summary>
    public static TunDevice Create(TunnelOptions options, ILogger? logger = null)
    {
        (_, int prefix) = options.ParsePool();
        string address = IpPacket.ToIPAddress(options.ResolveGatewayAddress()) + "/" + prefix;
        ArgumentOutOfRangeException.ThrowIfNegative(options.TxQueueLength);
        ArgumentOutOfRangeException.ThrowIfNegative(options.TxQueueBytes);
        TunDevice tun = Create(options.DeviceName, options.Mtu, options.Queues, address, options.NetworkNamespace, logger,
            options.Offload);
        string[] ns = options.NetworkNamespace is null ? [] : ["-n", options.NetworkNamespace];
        try
        {
            if (options.TxQueueLength > 0)
            {
                HostCommand.Run("ip", [.. ns, "link", "set", "dev", tun.Name, "txqueuelen",
                    options.TxQueueLength.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }
            else if (options.TxQueueBytes > 0)
            {
                tun.SizeRingTo(options.TxQueueBytes);
            }

            if (options.Ipv6Enabled)
            {
                // The sessions' /64s are routed into the device as one pool route; the router picks the session by /64.
                string pool = State.Ipv6PrefixPool.Parse(options.Ipv6Prefix!).Spec;
                HostCommand.Run("ip", [.. ns, "-6", "route", "replace", pool, "dev", tun.Name]);
            }
        }
        catch
        {
            tun.Dispose();
            throw;
        }

        return tun;
    }

    /// <summary>
    /// Opens and configures a device. <paramref name="addressWithPrefix"/> ("10.213.0.1/24") may be null to leave
    /// the interface without an address. With <paramref name="offload"/> the queues are opened with IFF_VNET_HDR and
    /// the best offloads the kernel accepts; if it accepts none, the device is reopened without them.
    /// </summary>
    public static TunDevice Create(string name, int mtu, int queues, string? addressWithPrefix,
        string? networkNamespace = null, ILogger? logger = null, bool offload = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queues, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(mtu, 68);
        if (Encoding.UTF8.GetByteCount(name) >= Libc.IFNAMSIZ || name.Length == 0)
        {
            throw new ArgumentException($"Interface name '{name}' must be 1 to {Libc.IFNAMSIZ - 1} bytes.", nameof(name));
        }
        int[] fds = new int[queues];
        Array.Fill(fds, -1);
        int stopFd = -1;
        string actualName = name;
        TunOffloads offloads = TunOffloads.None;
        logger ??= NullLogger.Instance;
        try
        {
            if (offload)
            {
                try
                {
                    (actualName, offloads) = OpenQueuesIn(networkNamespace, name, fds, vnetHeader: true);
                    TunnelLog.OffloadsOn(logger, actualName, offloads);
                }
                catch (IOException e)
                {
                    // Closing every fd deletes the non-persistent device, so the name is free for the plain retry.
                    CloseAll(fds);
                    TunnelLog.OffloadsRefused(logger, name, e.Message);
                }
            }
            if (offloads == TunOffloads.None)
            {
                actualName = OpenQueuesIn(networkNamespace, name, fds, vnetHeader: false).Name;
            }
            stopFd = Libc.EventFd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
            if (stopFd < 0)
            {
                throw Errno("eventfd");
            }
            string[] prefix = networkNamespace is null ? [] : ["-n", networkNamespace];
            if (addressWithPrefix is not null)
            {
                HostCommand.Run("ip", [.. prefix, "addr", "add", addressWithPrefix, "dev", actualName]);
            }
            HostCommand.Run("ip", [.. prefix, "link", "set", "dev", actualName, "mtu",
                mtu.ToString(System.Globalization.CultureInfo.InvariantCulture), "up"]);
        }
        catch
        {
            CloseAll(fds);
            if (stopFd >= 0)
            {
                Libc.Close(stopFd);
            }
            throw;
        }
        TunnelLog.DeviceUp(logger, actualName, queues, mtu, addressWithPrefix ?? "none");
        return new TunDevice(actualName, mtu, fds, stopFd, offloads, networkNamespace, logger);
    }

    private static void CloseAll(int[] fds)
    {
        for (int i = 0; i < fds.Length; i++)
        {
            if (fds[i] >= 0)
            {
                Libc.Close(fds[i]);
                fds[i] = -1;
            }
        }
    }

    private static (string Name, TunOffloads Offloads) OpenQueuesIn(string? networkNamespace, string name, int[] fds, bool vnetHeader) =>
        networkNamespace is null
            ? OpenQueues(name, fds, vnetHeader)
            : RunInNamespace(networkNamespace, () => OpenQueues(name, fds, vnetHeader));

    /// <summary>
    /// Opens one fd per queue and attaches it to the device; returns the name the kernel chose and, with
    /// <paramref name="vnetHeader"/>, the offloads it accepted (an IOException when it accepts none).
    /// </summary>
    private static (string Name, TunOffloads Offloads) OpenQueues(string name, int[] fds, bool vnetHeader)
    {
        string actual = name;
        TunOffloads offloads = TunOffloads.None;
        for (int i = 0; i < fds.Length; i++)
        {
            int fd = Libc.Open("/dev/net/tun", Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
            if (fd < 0)
            {
                throw Errno("open /dev/net/tun");
            }
            fds[i] = fd;
            Libc.IfReq request = NameRequest(actual);
            request.Flags = (short)(Libc.IFF_TUN | Libc.IFF_NO_PI | (fds.Length > 1 ? Libc.IFF_MULTI_QUEUE : 0)
                | (vnetHeader ? Libc.IFF_VNET_HDR : 0));
            if (Libc.Ioctl(fd, Libc.TUNSETIFF, &request) < 0)
            {
                throw Errno($"TUNSETIFF {actual}");
            }
            if (vnetHeader)
            {
                int size = VirtioNetHeader.Size;
                if (Libc.Ioctl(fd, Libc.TUNSETVNETHDRSZ, &size) < 0)
                {
                    throw Errno("TUNSETVNETHDRSZ");
                }
                // The offload features belong to the device, not the queue: set them once, on the first fd.
                if (i == 0)
                {
                    offloads = SetOffloads(fd);
                }
            }
            // The kernel writes the final name back (it expands a "%d" pattern); later queues attach to that name.
            actual = new ReadOnlySpan<byte>(request.Name, Libc.IFNAMSIZ).IndexOf((byte)0) is int end and >= 0
                ? Encoding.UTF8.GetString(request.Name, end)
                : actual;
        }
        return (actual, offloads);
    }

    private static TunOffloads SetOffloads(int fd)
    {
        foreach (TunOffloads candidate in OffloadCandidates)
        {
            if (Libc.Ioctl(fd, Libc.TUNSETOFFLOAD, (nuint)(uint)candidate) == 0)
            {
                return candidate;
            }
        }
        throw Errno("TUNSETOFFLOAD");
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a fresh thread that first joins network namespace
    /// <paramref name="networkNamespace"/> (setns(2) changes only the calling thread). The thread then exits, so no
    /// pooled thread is left in the other namespace. A TUN fd belongs to the namespace it was opened in.
    /// </summary>
    internal static T RunInNamespace<T>(string networkNamespace, Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                int nsFd = Libc.Open("/run/netns/" + networkNamespace, Libc.O_CLOEXEC);
                if (nsFd < 0)
                {
                    throw Errno($"open /run/netns/{networkNamespace}");
                }
                try
                {
                    if (Libc.SetNs(nsFd, Libc.CLONE_NEWNET) < 0)
                    {
                        throw Errno($"setns {networkNamespace}");
                    }
                }
                finally
                {
                    Libc.Close(nsFd);
                }
                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = "netns " + networkNamespace,
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw failure;
        }
        return result;
    }

    /// <inheritdoc />
    public void Start(TunPacketHandler handler) => Start(handler, readCompleted: null);

    /// <inheritdoc />
    public void StartDispatch(TunDispatchHandler handler) => Start(handler, readCompleted: null);

    /// <summary>
    /// As <see cref="Start(TunPacketHandler)"/>, and <paramref name="readCompleted"/> runs on the reader thread after
    /// the packets of each read were handled (the end of a batch: a super-packet's segments, e.g. to flush a
    /// <see cref="UplinkCoalescer"/>).
    /// </summary>
    public void Start(TunPacketHandler handler, Action? readCompleted)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Start((packet, _) =>
        {
            handler(packet);
            return true;
        }, readCompleted);
    }

    /// <inheritdoc />
    public void StartDispatch(TunDispatchHandler handler, TunAdmissionHandler admit)
    {
        ArgumentNullException.ThrowIfNull(admit);
        _admit = admit;
        Start(handler, readCompleted: null);
    }

    /// <summary>As <see cref="Start(TunPacketHandler, Action?)"/> with a handler that reports refusals (see
    /// <see cref="TunDispatchHandler"/>).</summary>
    public void Start(TunDispatchHandler handler, Action? readCompleted)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _readCompleted = readCompleted;
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The TUN device was started already.");
        }
        _handler = handler;
        for (int i = 0; i < _fds.Length; i++)
        {
            int queue = i;
            var thread = new Thread(() => ReadLoop(queue))
            {
                IsBackground = true,
                Name = $"tun {Name}/{queue}",
            };
            _readers[i] = thread;
            thread.Start();
        }
    }

    /// <inheritdoc />
    public bool Write(ReadOnlySpan<byte> packet) =>
        // With offloads the all-zero header: VIRTIO_NET_HDR_GSO_NONE, checksum already complete.
        WriteGuarded(packet, default);

    /// <inheritdoc />
    public bool SupportsSuperPackets => Offloads != TunOffloads.None;

    /// <inheritdoc />
    public bool WriteSuperPacket(ReadOnlySpan<byte> packet, in VirtioNetHeader header) =>
        (Offloads != TunOffloads.None || (header.GsoType == VirtioNetHeader.GsoNone && !header.NeedsChecksum))
        && WriteGuarded(packet, header);

    /// <summary>
    /// One packet to a queue fd: plain without offloads, behind <paramref name="header"/> with them. Dispose waits for
    /// writers in flight, so a write never lands on a closed (and maybe reused) fd number.
    /// </summary>
    private bool WriteGuarded(ReadOnlySpan<byte> packet, in VirtioNetHeader header)
    {
        if (packet.IsEmpty)
        {
            return false;
        }
        Interlocked.Increment(ref _activeWriters);
        try
        {
            if (_disposed)
            {
                return false;
            }
            // Spread writers over the queues by thread, so parallel sessions do not share one fd's queue lock.
            int fd = _fds[(uint)Environment.CurrentManagedThreadId % (uint)_fds.Length];
            if (Offloads == TunOffloads.None)
            {
                fixed (byte* p = packet)
                {
                    return WriteAll(fd, p, packet.Length);
                }
            }
            byte* raw = stackalloc byte[VirtioNetHeader.Size];
            header.Write(new Span<byte>(raw, VirtioNetHeader.Size));
            return WriteVectored(fd, raw, packet);
        }
        finally
        {
            Interlocked.Decrement(ref _activeWriters);
        }
    }

    /// <summary>One write(2) of a whole packet, retried on EINTR; false when the device refused it.</summary>
    private static bool WriteAll(int fd, byte* data, int length)
    {
        while (true)
        {
            nint n = Libc.Write(fd, data, length);
            if (n == length)
            {
                return true;
            }
            if (n < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
            {
                continue;
            }
            return false;
        }
    }

    /// <summary>Per-thread staging buffer for small packets behind their virtio header.</summary>
    [ThreadStatic]
    private static byte[]? t_stage;

    /// <summary>Packets up to this size are copied behind the header and written with one write(2).</summary>
    private const int CopyLimit = 2048;

    /// <summary>
    /// One write of a virtio header and the packet (atomic on a TUN fd). Small packets are copied behind the header and
    /// written with write(2): measured with tools/tunpath, that costs ~0.5 us less per packet here than writev(2) of two
    /// iovecs (the iovec import and iteration in the kernel outweigh a 1.4 KB copy). Super-packets use writev.
    /// </summary>
    private static bool WriteVectored(int fd, byte* header, ReadOnlySpan<byte> packet)
    {
        if (packet.Length <= CopyLimit)
        {
            byte[] stage = t_stage ??= GC.AllocateArray<byte>(VirtioNetHeader.Size + CopyLimit, pinned: true);
            new ReadOnlySpan<byte>(header, VirtioNetHeader.Size).CopyTo(stage);
            packet.CopyTo(stage.AsSpan(VirtioNetHeader.Size));
            fixed (byte* s = stage)
            {
                return WriteAll(fd, s, VirtioNetHeader.Size + packet.Length);
            }
        }
        fixed (byte* p = packet)
        {
            Libc.IoVec* vectors = stackalloc Libc.IoVec[2];
            vectors[0] = new Libc.IoVec { Base = header, Length = VirtioNetHeader.Size };
            vectors[1] = new Libc.IoVec { Base = p, Length = (nuint)packet.Length };
            while (true)
            {
                nint n = Libc.Writev(fd, vectors, 2);
                if (n == VirtioNetHeader.Size + packet.Length)
                {
                    return true;
                }
                if (n < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
                {
                    continue;
                }
                return false;
            }
        }
    }

    private bool Deliver(Span<byte> packet, int segmentsAfter, ref QueueStats stats)
    {
        stats.Packets++;
        try
        {
            return _handler!(packet, segmentsAfter);
        }
        catch (Exception e)
        {
            TunnelLog.HandlerFailed(_logger, e, Name);
            return true;
        }
    }

    private bool AdmitGuarded(ReadOnlySpan<byte> packet, in GsoLayout layout)
    {
        try
        {
            return _admit!(packet, layout.MaxSegmentLength, layout.SegmentCount);
        }
        catch (Exception e)
        {
            TunnelLog.HandlerFailed(_logger, e, Name);
            return true;
        }
    }

    /// <summary>
    /// A read with offloads on: a virtio header and a packet. GSO super-packets are segmented into
    /// <paramref name="scratch"/> one segment at a time (each handed over before the next is built, so the segment stays
    /// in cache); a NEEDS_CSUM packet gets its checksum completed in place. Malformed ones are counted and dropped.
    /// </summary>
    private bool DeliverOffloaded(Span<byte> frame, Span<byte> scratch, ref QueueStats stats)
    {
        if (!VirtioNetHeader.TryRead(frame, out VirtioNetHeader header))
        {
            stats.Malformed++;
            return true;
        }
        Span<byte> packet = frame[VirtioNetHeader.Size..];
        if (header.GsoKind == VirtioNetHeader.GsoNone)
        {
            if (header.NeedsChecksum && GsoSegmenter.CompleteChecksum(packet, header) != GsoStatus.Ok)
            {
                stats.Malformed++;
                return true;
            }
            return Deliver(packet, 0, ref stats);
        }
        if (GsoSegmenter.Prepare(packet, header, out GsoLayout layout) != GsoStatus.Ok)
        {
            stats.Malformed++;
            return true;
        }
        stats.SuperPackets++;
        if (_admit is not null && !AdmitGuarded(packet, layout))
        {
            // Refused whole (its session's queue is full): the read was the only cost.
            stats.SegmentsSkipped += layout.SegmentCount;
            return false;
        }
        for (int i = 0; i < layout.SegmentCount; i++)
        {
            if (GsoSegmenter.WriteSegment(packet, layout, i, scratch, out int length) != GsoStatus.Ok)
            {
                stats.Malformed++;
                return true;
            }
            int segmentsAfter = layout.SegmentCount - i - 1;
            if (!Deliver(scratch[..length], segmentsAfter, ref stats))
            {
                // Same destination for every segment: it refused this one, so it would refuse the rest. Skipping them
                // here keeps an overloaded session from costing segmentation work; the handler counted them as drops
                // (see TunDispatchHandler).
                stats.SegmentsSkipped += segmentsAfter;
                return false;
            }
        }
        return true;
    }

    private void ReadLoop(int queue)
    {
        int fd = _fds[queue];
        bool offloaded = Offloads != TunOffloads.None;
        ref QueueStats stats = ref _stats[queue];
        byte[] buffer = GC.AllocateArray<byte>(ReadBufferSize, pinned: true);
        // A segment is at most 64 KB (headers + gso_size fit a 16-bit IP length).
        byte[] scratch = offloaded ? GC.AllocateArray<byte>(65536, pinned: true) : [];
        Libc.PollFd* polls = stackalloc Libc.PollFd[2];
        polls[0] = new Libc.PollFd { Fd = fd, Events = Libc.POLLIN };
        polls[1] = new Libc.PollFd { Fd = _stopFd, Events = Libc.POLLIN };
        int refused = 0;
        fixed (byte* p = buffer)
        {
            while (!_disposed)
            {
                nint n = Libc.Read(fd, p, buffer.Length);
                if (n > 0)
                {
                    stats.Reads++;
                    stats.ReadBytes += n;
                    if (queue == 0 && _ringSizer is not null && (stats.Reads & 63) == 0)
                    {
                        ResizeRingIfDue();
                    }
                    bool accepted = offloaded
                        ? DeliverOffloaded(new Span<byte>(p, (int)n), scratch, ref stats)
                        : Deliver(new Span<byte>(p, (int)n), 0, ref stats);
                    _readCompleted?.Invoke();
                    if (accepted)
                    {
                        // The session is taking packets again: only refusals in a row make the reader pause.
                        refused = 0;
                    }
                    else if (++refused >= FloodBurst)
                    {
                        Pause(ref refused, ref stats);
                    }
                    continue;
                }
                int errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
                if (n < 0 && errno == Libc.EINTR)
                {
                    continue;
                }
                if (n < 0 && errno == Libc.EAGAIN)
                {
                    if (refused > 0)
                    {
                        Pause(ref refused, ref stats);
                        continue;
                    }
                    polls[0].Revents = 0;
                    polls[1].Revents = 0;
                    int ready = Libc.Poll(polls, 2, -1);
                    if (ready < 0 && Marshal.GetLastPInvokeError() != Libc.EINTR)
                    {
                        TunnelLog.ReadFailed(_logger, Name, queue, Marshal.GetLastPInvokeError());
                        return;
                    }
                    if ((polls[1].Revents & Libc.POLLIN) != 0)
                    {
                        return;
                    }
                    continue;
                }
                if (!_disposed)
                {
                    TunnelLog.ReadFailed(_logger, Name, queue, errno);
                }
                return;
            }
        }
    }

    /// <summary>
    /// A session refused reads (its queue is full: a flood toward it). Dropping a read costs the read alone (the
    /// admission check comes before segmentation), so the reader drains the device's ring at once instead of leaving
    /// it full: the kernel's TUN ring counts packets (500 by default), and 500 GSO super-packets of 64 KB held 197 ms
    /// in front of every other packet, a ping reply too (docs/benchmarks.md section 11). But reading without pause would
    /// trade that for receive livelock: a wakeup and a read per super-packet the flood sends, on the core the session's
    /// writer needs. Yielding after every refused read (the earlier remedy) held the reader to a few thousand reads per
    /// second, so the ring stayed full. So the reader pauses for a millisecond when the ring is empty and the last
    /// reads were refused, or after <see cref="FloodBurst"/> refused reads in a row: the flood then costs at most 64
    /// reads per millisecond and one wakeup per millisecond, and a packet behind it waits at most ring/64 ms in the
    /// ring (and, when the ring empties faster, about the one millisecond of the pause). Measured (scripts/bench latency,
    /// load self, back to back): TUN reads 3.7k -> 12k per second, ping p99 369 -> 67 ms, the flooded session's own
    /// downlink 1.24 -> 0.77 Gbit/s; 256 refused reads before a pause gave the same p99 and 0.41 Gbit/s.
    /// </summary>
    private static void Pause(ref int refused, ref QueueStats stats)
    {
        refused = 0;
        stats.Pauses++;
        Thread.Sleep(1);
    }

    /// <summary>
    /// Lets the reader of queue 0 keep the device's transmit ring at about <paramref name="targetBytes"/> (see
    /// <see cref="TunRingSizer"/>): it reconsiders the length once a second from the bytes per read of all queues and
    /// sets it with SIOCSIFTXQLEN. Call before the readers start. The ioctl needs a socket in the device's namespace,
    /// opened here once.
    /// </summary>
    public void SizeRingTo(long targetBytes)
    {
        if (Volatile.Read(ref _started) != 0)
        {
            throw new InvalidOperationException("The ring sizer must be set before the readers start.");
        }
        int fd = _networkNamespace is null ? OpenControlSocket() : RunInNamespace(_networkNamespace, OpenControlSocket);
        try
        {
            _appliedRingLength = RingLength(fd);
            _ringSizer = new TunRingSizer(targetBytes, _appliedRingLength);
            _ringSizer.Observe(Reads, BytesRead, Environment.TickCount64); // the first window starts now
        }
        catch
        {
            Libc.Close(fd);
            throw;
        }
        _controlFd = fd;
    }

    /// <summary>The device's transmit ring length now (SIOCGIFTXQLEN); needs <see cref="SizeRingTo"/> first.</summary>
    public int RingLength()
    {
        lock (_controlLock)
        {
            // Under the lock: a resize in flight has both set the kernel's length and counted it, or neither.
            return _controlFd >= 0
                ? RingLength(_controlFd)
                : throw new InvalidOperationException("No ring sizer: SizeRingTo was not called.");
        }
    }

    private static int OpenControlSocket()
    {
        int fd = Libc.Socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        return fd >= 0 ? fd : throw Errno("socket");
    }

    private int RingLength(int controlFd)
    {
        Libc.IfReq request = NameRequest(Name);
        return Libc.Ioctl(controlFd, Libc.SIOCGIFTXQLEN, &request) < 0 ? throw Errno("SIOCGIFTXQLEN") : request.QueueLength;
    }

    /// <summary>A struct ifreq naming device <paramref name="name"/> (NUL-terminated; the union left zero).</summary>
    private static Libc.IfReq NameRequest(string name)
    {
        Libc.IfReq request = default;
        int written = Encoding.UTF8.GetBytes(name, new Span<byte>(request.Name, Libc.IFNAMSIZ - 1));
        request.Name[written] = 0;
        return request;
    }

    /// <summary>
    /// On the reader of queue 0: feeds the sizer and, when it asks for a new length (rare: hysteresis), hands the
    /// ioctl to a pool thread. Never on the reader itself: SIOCSIFTXQLEN takes the RTNL lock, which namespace teardown
    /// and other link changes on the host can hold for seconds; a reader blocked there stopped every session's
    /// downlink and its ring overflowed (pings lost in a test run while other tests deleted namespaces).
    /// </summary>
    private void ResizeRingIfDue()
    {
        // A local: a failed resize clears _ringSizer from the pool thread at any time.
        if (_ringSizer is { } sizer && sizer.Observe(Reads, BytesRead, Environment.TickCount64)
            && Interlocked.Exchange(ref _resizeQueued, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static tun => tun.ApplyRingLength(), this, preferLocal: false);
        }
    }

    /// <summary>
    /// Sets the sizer's latest length. The queued flag is cleared (with a full fence) before the length is read, so a
    /// length the reader decides after that read queues another run, which then applies it.
    /// </summary>
    private void ApplyRingLength()
    {
        Interlocked.Exchange(ref _resizeQueued, 0);
        lock (_controlLock)
        {
            int length = _ringSizer?.Length ?? _appliedRingLength;
            if (_controlFd < 0 || length == _appliedRingLength)
            {
                return;
            }
            Libc.IfReq request = NameRequest(Name);
            request.QueueLength = length;
            if (Libc.Ioctl(_controlFd, Libc.SIOCSIFTXQLEN, &request) < 0)
            {
                // Not fatal: the ring keeps its length; stop trying (e.g. no CAP_NET_ADMIN in this namespace).
                TunnelLog.RingResizeFailed(_logger, Name, Marshal.GetLastPInvokeError());
                _ringSizer = null;
                return;
            }
            TunnelLog.RingResized(_logger, Name, _appliedRingLength, length);
            _appliedRingLength = length;
            Interlocked.Increment(ref _ringResizes);
        }
    }

    /// <summary>Stops the readers, closes every fd (the kernel then deletes the device).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        ulong one = 1;
        Libc.Write(_stopFd, (byte*)&one, sizeof(ulong));
        foreach (Thread? reader in _readers)
        {
            if (reader is not null && reader != Thread.CurrentThread)
            {
                reader.Join(TimeSpan.FromSeconds(5));
            }
        }
        var spin = new SpinWait();
        while (Volatile.Read(ref _activeWriters) != 0)
        {
            spin.SpinOnce();
        }
        foreach (int fd in _fds)
        {
            Libc.Close(fd);
        }
        Libc.Close(_stopFd);
        lock (_controlLock)
        {
            // After a resize in flight (it holds the lock), so the fd number is never reused under it.
            if (_controlFd >= 0)
            {
                Libc.Close(_controlFd);
                _controlFd = -1;
            }
        }
        TunnelLog.DeviceClosed(_logger, Name);
    }

    private static IOException Errno(string what)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{what} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno);
    }
}

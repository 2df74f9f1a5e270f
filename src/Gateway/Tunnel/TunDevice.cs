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
/// </summary>
public sealed unsafe class TunDevice : ITunDevice
{
    /// <summary>Largest IP packet a read can return (IPv4/IPv6 16-bit length without jumbograms).</summary>
    private const int ReadBufferSize = 65536;

    private readonly int[] _fds;
    private readonly int _stopFd;
    private readonly ILogger _logger;
    private readonly Thread?[] _readers;
    private TunPacketHandler? _handler;
    private volatile bool _disposed;
    private int _started;
    private int _activeWriters;

    private TunDevice(string name, int mtu, int[] fds, int stopFd, ILogger logger)
    {
        Name = name;
        Mtu = mtu;
        _fds = fds;
        _stopFd = stopFd;
        _logger = logger;
        _readers = new Thread?[fds.Length];
    }

    public string Name { get; }

    public int Mtu { get; }

    /// <summary>Number of queues (fds).</summary>
    public int QueueCount => _fds.Length;

    /// <summary>
    /// Opens the device with <see cref="TunnelOptions.Queues"/> queues, gives it the gateway address with the pool's
    /// prefix, sets the MTU and brings it up (with the <c>ip</c> tool, in <see cref="TunnelOptions.NetworkNamespace"/>
    /// when set). On failure nothing is left behind.
    /// </summary>
    public static TunDevice Create(TunnelOptions options, ILogger? logger = null)
    {
        (_, int prefix) = options.ParsePool();
        string address = IpPacket.ToIPAddress(options.ResolveGatewayAddress()) + "/" + prefix;
        return Create(options.DeviceName, options.Mtu, options.Queues, address, options.NetworkNamespace, logger);
    }

    /// <summary>
    /// Opens and configures a device. <paramref name="addressWithPrefix"/> ("10.213.0.1/24") may be null to leave
    /// the interface without an address.
    /// </summary>
    public static TunDevice Create(string name, int mtu, int queues, string? addressWithPrefix,
        string? networkNamespace = null, ILogger? logger = null)
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
        try
        {
            if (networkNamespace is null)
            {
                actualName = OpenQueues(name, fds);
            }
            else
            {
                actualName = RunInNamespace(networkNamespace, () => OpenQueues(name, fds));
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
            foreach (int fd in fds)
            {
                if (fd >= 0)
                {
                    Libc.Close(fd);
                }
            }
            if (stopFd >= 0)
            {
                Libc.Close(stopFd);
            }
            throw;
        }
        logger ??= NullLogger.Instance;
        TunnelLog.DeviceUp(logger, actualName, queues, mtu, addressWithPrefix ?? "none");
        return new TunDevice(actualName, mtu, fds, stopFd, logger);
    }

    /// <summary>Opens one fd per queue and attaches it to the device; returns the name the kernel chose.</summary>
    private static string OpenQueues(string name, int[] fds)
    {
        string actual = name;
        for (int i = 0; i < fds.Length; i++)
        {
            int fd = Libc.Open("/dev/net/tun", Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
            if (fd < 0)
            {
                throw Errno("open /dev/net/tun");
            }
            fds[i] = fd;
            Libc.IfReq request = default;
            int written = Encoding.UTF8.GetBytes(actual, new Span<byte>(request.Name, Libc.IFNAMSIZ - 1));
            request.Name[written] = 0;
            request.Flags = (short)(Libc.IFF_TUN | Libc.IFF_NO_PI | (fds.Length > 1 ? Libc.IFF_MULTI_QUEUE : 0));
            if (Libc.Ioctl(fd, Libc.TUNSETIFF, &request) < 0)
            {
                throw Errno($"TUNSETIFF {actual}");
            }
            // The kernel writes the final name back (it expands a "%d" pattern); later queues attach to that name.
            actual = new ReadOnlySpan<byte>(request.Name, Libc.IFNAMSIZ).IndexOf((byte)0) is int end and >= 0
                ? Encoding.UTF8.GetString(request.Name, end)
                : actual;
        }
        return actual;
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
    public void Start(TunPacketHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
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
    public bool Write(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty)
        {
            return false;
        }
        // Dispose waits for writers in flight, so a write never lands on a closed (and maybe reused) fd number.
        Interlocked.Increment(ref _activeWriters);
        try
        {
            return !_disposed && WriteCore(packet);
        }
        finally
        {
            Interlocked.Decrement(ref _activeWriters);
        }
    }

    private bool WriteCore(ReadOnlySpan<byte> packet)
    {
        // Spread writers over the queues by thread, so parallel sessions do not share one fd's queue lock.
        int fd = _fds[(uint)Environment.CurrentManagedThreadId % (uint)_fds.Length];
        fixed (byte* p = packet)
        {
            while (true)
            {
                nint n = Libc.Write(fd, p, packet.Length);
                if (n == packet.Length)
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

    private void ReadLoop(int queue)
    {
        int fd = _fds[queue];
        byte[] buffer = GC.AllocateArray<byte>(ReadBufferSize, pinned: true);
        Libc.PollFd* polls = stackalloc Libc.PollFd[2];
        polls[0] = new Libc.PollFd { Fd = fd, Events = Libc.POLLIN };
        polls[1] = new Libc.PollFd { Fd = _stopFd, Events = Libc.POLLIN };
        fixed (byte* p = buffer)
        {
            while (!_disposed)
            {
                nint n = Libc.Read(fd, p, buffer.Length);
                if (n > 0)
                {
                    try
                    {
                        _handler!(new Span<byte>(p, (int)n));
                    }
                    catch (Exception e)
                    {
                        TunnelLog.HandlerFailed(_logger, e, Name);
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
        TunnelLog.DeviceClosed(_logger, Name);
    }

    private static IOException Errno(string what)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{what} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno);
    }
}

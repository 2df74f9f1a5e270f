using System.Runtime.InteropServices;

namespace Gateway.Tunnel;

/// <summary>The few libc calls the TUN device needs (Linux x86-64/arm64 ABI).</summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc";

    // fcntl.h / asm-generic
    public const int O_RDWR = 0x0002;
    public const int O_NONBLOCK = 0x0800;
    public const int O_CLOEXEC = 0x80000;

    // errno
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EBADF = 9;

    // poll.h
    public const short POLLIN = 0x0001;
    public const short POLLERR = 0x0008;
    public const short POLLHUP = 0x0010;
    public const short POLLNVAL = 0x0020;

    // sys/eventfd.h
    public const int EFD_NONBLOCK = 0x0800;
    public const int EFD_CLOEXEC = 0x80000;

    // sched.h: setns(2) namespace type.
    public const int CLONE_NEWNET = 0x40000000;

    // linux/if_tun.h: TUNSETIFF = _IOW('T', 202, int); flags of struct ifreq.ifr_flags.
    public const ulong TUNSETIFF = 0x400454CA;
    public const short IFF_TUN = 0x0001;
    public const short IFF_MULTI_QUEUE = 0x0100;
    public const short IFF_NO_PI = 0x1000;
    public const short IFF_VNET_HDR = 0x4000;

    // linux/if_tun.h: TUNSETOFFLOAD = _IOW('T', 208, unsigned int) (value argument, TUN_F_* bits: see TunOffloads);
    // TUNSETVNETHDRSZ = _IOW('T', 216, int) (pointer argument).
    public const ulong TUNSETOFFLOAD = 0x400454D0;
    public const ulong TUNSETVNETHDRSZ = 0x400454D8;

    /// <summary>linux/if.h IFNAMSIZ: the name including its terminating NUL.</summary>
    public const int IFNAMSIZ = 16;

    // linux/sockios.h: get and set a device's transmit queue length (struct ifreq, ifr_qlen).
    public const ulong SIOCGIFTXQLEN = 0x8942;
    public const ulong SIOCSIFTXQLEN = 0x8943;

    // sys/socket.h
    public const int AF_INET = 2;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_CLOEXEC = 0x80000;

    /// <summary>struct ifreq: 16-byte name, then a 24-byte union (ifr_flags, or ifr_qlen).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    public struct IfReq
    {
        [FieldOffset(0)] public fixed byte Name[IFNAMSIZ];
        [FieldOffset(IFNAMSIZ)] public short Flags;
        [FieldOffset(IFNAMSIZ)] public int QueueLength;
    }

    /// <summary>struct iovec (sys/uio.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, ulong request, IfReq* argument);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, ulong request, int* argument);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, ulong request, nuint value);

    [LibraryImport(Library, EntryPoint = "writev", SetLastError = true)]
    public static partial nint Writev(int fd, IoVec* vectors, int count);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(Library, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    [LibraryImport(Library, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Library, EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nsType);
}

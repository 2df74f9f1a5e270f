using System.Buffers;
using System.Buffers.Binary;
using System.Net;

namespace Gateway.Edge;

/// <summary>
/// Pure parser for the PROXY protocol v1 (text) and v2 (binary) header (haproxy doc/proxy-protocol.txt).
/// No I/O: the connection middleware owns the pipe and calls this with everything buffered so far.
/// </summary>
public static class ProxyProtocolParser
{
    /// <summary>v1 worst case including CRLF (proxy-protocol.txt 2.1: "107 characters").</summary>
    public const int V1MaxLength = 107;

    /// <summary>v2 fixed part: 12-byte signature, ver/cmd, fam/proto, 16-bit length (proxy-protocol.txt 2.2).</summary>
    public const int V2FixedLength = 16;

    private const int V2Ipv4AddressLength = 12;  // 2 x 4-byte address + 2 x 2-byte port
    private const int V2Ipv6AddressLength = 36;  // 2 x 16-byte address + 2 x 2-byte port
    private const int V2UnixAddressLength = 216; // 2 x 108-byte path

    /// <summary>"PROXY " (proxy-protocol.txt 2.1).</summary>
    public static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    /// <summary>\x0D\x0A\x0D\x0A\x00\x0D\x0A\x51\x55\x49\x54\x0A (proxy-protocol.txt 2.2).</summary>
    public static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>
    /// Whether <paramref name="input"/> starts like a PROXY header: <see cref="ProxyProtocolParseStatus.Done"/> = yes,
    /// <see cref="ProxyProtocolParseStatus.Invalid"/> = no, <see cref="ProxyProtocolParseStatus.Incomplete"/> = too few bytes to tell.
    /// Used to refuse headers from untrusted peers without consuming anything.
    /// </summary>
    public static ProxyProtocolParseStatus Detect(in ReadOnlySequence<byte> input)
    {
        Span<byte> head = stackalloc byte[12];
        int n = (int)Math.Min(input.Length, head.Length);
        input.Slice(0, n).CopyTo(head);
        head = head[..n];
        if (n == 0)
        {
            return ProxyProtocolParseStatus.Incomplete;
        }

        ReadOnlySpan<byte> signature = head[0] == (byte)'P' ? V1Prefix : V2Signature;
        int compare = Math.Min(n, signature.Length);
        if (!head[..compare].SequenceEqual(signature[..compare]))
        {
            return ProxyProtocolParseStatus.Invalid;
        }

        return compare == signature.Length ? ProxyProtocolParseStatus.Done : ProxyProtocolParseStatus.Incomplete;
    }

    /// <summary>
    /// Parses a PROXY header at the start of <paramref name="input"/>. On <see cref="ProxyProtocolParseStatus.Done"/>,
    /// <paramref name="consumed"/> is the position just after the header (the first byte of the proxied stream).
    /// Never throws on any input.
    /// </summary>
    public static ProxyProtocolParseStatus TryParse(in ReadOnlySequence<byte> input, out ProxyProtocolHeader header, out SequencePosition consumed)
    {
        header = default;
        consumed = input.Start;
        if (input.IsEmpty)
        {
            return ProxyProtocolParseStatus.Incomplete;
        }

        Span<byte> firstByte = stackalloc byte[1];
        input.Slice(0, 1).CopyTo(firstByte); // the first segment may be empty
        byte first = firstByte[0];
        long length = 0;
        ProxyProtocolParseStatus status = first == (byte)'P'
            ? ParseV1(input, out header, out length)
            : first == V2Signature[0]
                ? ParseV2(input, out header, out length)
                : ProxyProtocolParseStatus.Invalid;
        if (status == ProxyProtocolParseStatus.Done)
        {
            consumed = input.GetPosition(length);
        }

        return status;
    }

    private static ProxyProtocolParseStatus ParseV1(in ReadOnlySequence<byte> input, out ProxyProtocolHeader header, out long length)
    {
        header = default;
        length = 0;
        Span<byte> line = stackalloc byte[V1MaxLength];
        int n = (int)Math.Min(input.Length, V1MaxLength);
        input.Slice(0, n).CopyTo(line);
        line = line[..n];

        int prefix = Math.Min(n, V1Prefix.Length);
        if (!line[..prefix].SequenceEqual(V1Prefix[..prefix]))
        {
            return ProxyProtocolParseStatus.Invalid;
        }

        int cr = -1;
        for (int i = 0; i < n; i++)
        {
            byte b = line[i];
            if (b == (byte)'\r')
            {
                cr = i;
                break;
            }

            // proxy-protocol.txt 2.1: US-ASCII printable fields separated by single spaces.
            if (b < 0x20 || b > 0x7E)
            {
                return ProxyProtocolParseStatus.Invalid;
            }
        }

        if (cr < 0)
        {
            return n == V1MaxLength ? ProxyProtocolParseStatus.Invalid : ProxyProtocolParseStatus.Incomplete;
        }

        if (cr + 1 >= n)
        {
            return n == V1MaxLength ? ProxyProtocolParseStatus.Invalid : ProxyProtocolParseStatus.Incomplete;
        }

        if (line[cr + 1] != (byte)'\n')
        {
            return ProxyProtocolParseStatus.Invalid;
        }

        length = cr + 2;
        ReadOnlySpan<byte> rest = line[V1Prefix.Length..cr];

        // "UNKNOWN": the receiver must ignore everything up to CRLF and use the real addresses.
        if (rest.StartsWith("UNKNOWN"u8) && (rest.Length == 7 || rest[7] == (byte)' '))
        {
            header = new ProxyProtocolHeader(1, false, null, null);
            return ProxyProtocolParseStatus.Done;
        }

        bool v6;
        if (rest.StartsWith("TCP4 "u8))
        {
            v6 = false;
        }
        else if (rest.StartsWith("TCP6 "u8))
        {
            v6 = true;
        }
        else
        {
            return ProxyProtocolParseStatus.Invalid;
        }

        rest = rest[5..];
        if (!NextField(ref rest, out ReadOnlySpan<byte> src) || !NextField(ref rest, out ReadOnlySpan<byte> dst)
            || !NextField(ref rest, out ReadOnlySpan<byte> sport) || !NextField(ref rest, out ReadOnlySpan<byte> dport)
            || !rest.IsEmpty)
        {
            return ProxyProtocolParseStatus.Invalid;
        }

        if (!TryParseV1Address(src, v6, out IPAddress? srcAddress) || !TryParseV1Address(dst, v6, out IPAddress? dstAddress)
            || !TryParseV1Port(sport, out int srcPort) || !TryParseV1Port(dport, out int dstPort))
        {
            return ProxyProtocolParseStatus.Invalid;
        }

        header = new ProxyProtocolHeader(1, false, new IPEndPoint(srcAddress, srcPort), new IPEndPoint(dstAddress, dstPort));
        return ProxyProtocolParseStatus.Done;
    }

    /// <summary>Takes one field ending at a single space or at the end; empty fields are malformed.</summary>
    private static bool NextField(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> field)
    {
        int sp = rest.IndexOf((byte)' ');
        if (sp < 0)
        {
            field = rest;
            rest = default;
        }
        else
        {
            field = rest[..sp];
            rest = rest[(sp + 1)..];
            if (rest.IsEmpty)
            {
                return false; // trailing space
            }
        }

        return !field.IsEmpty;
    }

    private static bool TryParseV1Address(ReadOnlySpan<byte> field, bool v6, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (field.Length > 45)
        {
            return false;
        }

        int dots = 0;
        foreach (byte b in field)
        {
            bool ok = v6 ? (b is (byte)':' or (byte)'.' || char.IsAsciiHexDigit((char)b)) : (b == (byte)'.' || char.IsAsciiDigit((char)b));
            if (!ok)
            {
                return false; // e.g. a "%scope" suffix, which IPAddress would accept
            }

            dots += b == (byte)'.' ? 1 : 0;
        }

        if (!v6 && dots != 3)
        {
            return false; // IPAddress.TryParse would accept the legacy "10.1" forms
        }

        Span<char> chars = stackalloc char[field.Length];
        for (int i = 0; i < field.Length; i++)
        {
            chars[i] = (char)field[i];
        }

        if (!IPAddress.TryParse(chars, out address))
        {
            return false;
        }

        return address.AddressFamily == (v6 ? System.Net.Sockets.AddressFamily.InterNetworkV6 : System.Net.Sockets.AddressFamily.InterNetwork);
    }

    private static bool TryParseV1Port(ReadOnlySpan<byte> field, out int port)
    {
        port = 0;
        if (field.Length > 5 || (field.Length > 1 && field[0] == (byte)'0'))
        {
            return false;
        }

        foreach (byte b in field)
        {
            if (b < (byte)'0' || b > (byte)'9')
            {
                return false;
            }

            port = (port * 10) + (b - '0');
        }

        return port <= IPEndPoint.MaxPort;
    }

    private static ProxyProtocolParseStatus ParseV2(in ReadOnlySequence<byte> input, out ProxyProtocolHeader header, out long length)
    {
        header = default;
        length = 0;
        Span<byte> fixedPart = stackalloc byte[V2FixedLength];
        int n = (int)Math.Min(input.Length, V2FixedLength);
        input.Slice(0, n).CopyTo(fixedPart);

        int prefix = Math.Min(n, V2Signature.Length);
        if (!fixedPart[..prefix].SequenceEqual(V2Signature[..prefix]))
        {
            return ProxyProtocolParseStatus.Invalid;
        }

        if (n > 12 && (fixedPart[12] >> 4) != 2)
        {
            return ProxyProtocolParseStatus.Invalid; // version nibble must be \x2
        }

        if (n > 12 && (fixedPart[12] & 0x0F) > 1)
        {
            return ProxyProtocolParseStatus.Invalid; // command: \x0 LOCAL, \x1 PROXY, others unassigned
        }

        if (n > 13 && !IsKnownFamily(fixedPart[13]))
        {
            return ProxyProtocolParseStatus.Invalid;
        }

        if (n < V2FixedLength)
        {
            return ProxyProtocolParseStatus.Incomplete;
        }

        bool local = (fixedPart[12] & 0x0F) == 0;
        byte family = fixedPart[13];
        int addressLength = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[14..]);
        long total = V2FixedLength + addressLength;
        if (input.Length < total)
        {
            return ProxyProtocolParseStatus.Incomplete;
        }

        int required = (family >> 4) switch
        {
            1 => V2Ipv4AddressLength,
            2 => V2Ipv6AddressLength,
            3 => V2UnixAddressLength,
            _ => 0,
        };

        // The length covers the addresses and any TLVs; a PROXY command with a shorter block is malformed.
        if (!local && addressLength < required)
        {
            return ProxyProtocolParseStatus.Invalid;
        }

        length = total;
        if (local || required is 0 or V2UnixAddressLength)
        {
            // LOCAL: health check from the proxy itself; UNSPEC/UNIX: nothing usable. Keep the real addresses.
            header = new ProxyProtocolHeader(2, local, null, null);
            return ProxyProtocolParseStatus.Done;
        }

        Span<byte> addresses = stackalloc byte[V2Ipv6AddressLength];
        addresses = addresses[..required];
        input.Slice(V2FixedLength, required).CopyTo(addresses);
        int addressSize = (required - 4) / 2;
        var srcAddress = new IPAddress(addresses[..addressSize]);
        var dstAddress = new IPAddress(addresses.Slice(addressSize, addressSize));
        int srcPort = BinaryPrimitives.ReadUInt16BigEndian(addresses[(2 * addressSize)..]);
        int dstPort = BinaryPrimitives.ReadUInt16BigEndian(addresses[((2 * addressSize) + 2)..]);
        header = new ProxyProtocolHeader(2, false, new IPEndPoint(srcAddress, srcPort), new IPEndPoint(dstAddress, dstPort));
        return ProxyProtocolParseStatus.Done;
    }

    /// <summary>proxy-protocol.txt 2.2: high nibble family 0..3 (UNSPEC, INET, INET6, UNIX), low nibble 0..2 (UNSPEC, STREAM, DGRAM).</summary>
    private static bool IsKnownFamily(byte b) => (b >> 4) <= 3 && (b & 0x0F) <= 2;
}

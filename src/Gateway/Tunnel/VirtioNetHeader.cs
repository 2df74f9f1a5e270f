using System.Buffers.Binary;

namespace Gateway.Tunnel;

/// <summary>
/// struct virtio_net_hdr (VIRTIO 1.2 section 5.1.6, linux/virtio_net.h): the 10-byte header the TUN driver puts in
/// front of every packet when the device is opened with IFF_VNET_HDR. Fields are little-endian (the TUN driver uses
/// the host's order unless TUNSETVNETBE, and x86-64/arm64 are little-endian).
/// </summary>
public readonly struct VirtioNetHeader
{
    /// <summary>sizeof(struct virtio_net_hdr); set with TUNSETVNETHDRSZ (the 12-byte mrg_rxbuf form is not used).</summary>
    public const int Size = 10;

    /// <summary>VIRTIO_NET_HDR_F_NEEDS_CSUM: the checksum at csum_start + csum_offset holds only the pseudo-header sum.</summary>
    public const byte FlagNeedsChecksum = 1;

    /// <summary>VIRTIO_NET_HDR_F_DATA_VALID: the checksum was verified (receive side only; ignored here).</summary>
    public const byte FlagDataValid = 2;

    /// <summary>VIRTIO_NET_HDR_GSO_* values of gso_type (the low 7 bits).</summary>
    public const byte GsoNone = 0;
    public const byte GsoTcpV4 = 1;
    public const byte GsoUdp = 3;
    public const byte GsoTcpV6 = 4;
    public const byte GsoUdpL4 = 5;

    /// <summary>VIRTIO_NET_HDR_GSO_ECN: the TCP super-packet carries CWR (kept on the first segment only).</summary>
    public const byte GsoEcn = 0x80;

    public VirtioNetHeader(byte flags, byte gsoType, ushort headerLength, ushort gsoSize, ushort checksumStart, ushort checksumOffset)
    {
        Flags = flags;
        GsoType = gsoType;
        HeaderLength = headerLength;
        GsoSize = gsoSize;
        ChecksumStart = checksumStart;
        ChecksumOffset = checksumOffset;
    }

    public byte Flags { get; }

    /// <summary>gso_type including the <see cref="GsoEcn"/> bit.</summary>
    public byte GsoType { get; }

    /// <summary>hdr_len: Linux fills in the length of the skb's linear part, which may exceed the real headers, so it is
    /// only bounds-checked, never used to find the payload.</summary>
    public ushort HeaderLength { get; }

    /// <summary>gso_size: payload bytes per segment (the MSS for TCP).</summary>
    public ushort GsoSize { get; }

    /// <summary>csum_start: offset of the transport header from the start of the IP packet.</summary>
    public ushort ChecksumStart { get; }

    /// <summary>csum_offset: offset of the checksum field from csum_start (16 for TCP, 6 for UDP).</summary>
    public ushort ChecksumOffset { get; }

    public bool NeedsChecksum => (Flags & FlagNeedsChecksum) != 0;

    /// <summary>gso_type without the ECN bit.</summary>
    public byte GsoKind => (byte)(GsoType & ~GsoEcn);

    /// <summary>Reads the header at the start of <paramref name="source"/>; false when it is shorter than <see cref="Size"/>.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out VirtioNetHeader header)
    {
        if (source.Length < Size)
        {
            header = default;
            return false;
        }
        header = new VirtioNetHeader(
            source[0],
            source[1],
            BinaryPrimitives.ReadUInt16LittleEndian(source[2..]),
            BinaryPrimitives.ReadUInt16LittleEndian(source[4..]),
            BinaryPrimitives.ReadUInt16LittleEndian(source[6..]),
            BinaryPrimitives.ReadUInt16LittleEndian(source[8..]));
        return true;
    }

    /// <summary>Writes the header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        destination[0] = Flags;
        destination[1] = GsoType;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], HeaderLength);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], GsoSize);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], ChecksumStart);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], ChecksumOffset);
    }
}

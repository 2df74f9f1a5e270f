namespace Gateway.Tunnel;

/// <summary>Where the headers and payload of a GSO super-packet lie, as found by <see cref="GsoSegmenter.Prepare"/>.</summary>
public readonly struct GsoLayout
{
    public GsoLayout(bool isIpv6, bool isTcp, int transportOffset, int headerLength, int payloadLength, int segmentSize)
    {
        IsIpv6 = isIpv6;
        IsTcp = isTcp;
        TransportOffset = transportOffset;
        HeaderLength = headerLength;
        PayloadLength = payloadLength;
        SegmentSize = segmentSize;
        SegmentCount = (payloadLength + segmentSize - 1) / segmentSize;
    }

    public bool IsIpv6 { get; }

    /// <summary>TCP (gso_type TCPV4/TCPV6) or UDP (UDP_L4).</summary>
    public bool IsTcp { get; }

    /// <summary>Offset of the TCP/UDP header: the IP header plus any IPv6 extension headers.</summary>
    public int TransportOffset { get; }

    /// <summary>IP plus transport headers: the bytes copied in front of every segment's payload.</summary>
    public int HeaderLength { get; }

    /// <summary>Payload bytes of the whole super-packet.</summary>
    public int PayloadLength { get; }

    /// <summary>gso_size: payload bytes per segment (the last one may be shorter).</summary>
    public int SegmentSize { get; }

    public int SegmentCount { get; }

    /// <summary>The largest segment: the size a caller's scratch buffer needs.</summary>
    public int MaxSegmentLength => HeaderLength + Math.Min(SegmentSize, PayloadLength);
}

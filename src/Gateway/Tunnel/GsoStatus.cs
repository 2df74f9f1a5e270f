namespace Gateway.Tunnel;

/// <summary>Outcome of <see cref="GsoSegmenter"/>: every malformed virtio header or super-packet is a status, never an exception.</summary>
public enum GsoStatus
{
    Ok,

    /// <summary>The packet is shorter than the headers it claims (IP, transport, or the virtio header itself).</summary>
    Truncated,

    /// <summary>A GSO packet with gso_size 0.</summary>
    BadGsoSize,

    /// <summary>hdr_len lies past the end of the packet.</summary>
    BadHeaderLength,

    /// <summary>csum_start/csum_offset point outside the packet or disagree with the IP header.</summary>
    BadChecksumOffsets,

    /// <summary>A gso_type this code does not segment (e.g. the legacy UFO type 3) or one that does not match the packet.</summary>
    UnsupportedGsoType,

    /// <summary>The IP header does not parse, or its protocol is not the one gso_type requires.</summary>
    BadIpHeader,

    /// <summary>A GSO packet without payload after its headers.</summary>
    NoPayload,

    /// <summary>The caller's buffer cannot hold one segment.</summary>
    DestinationTooSmall,
}

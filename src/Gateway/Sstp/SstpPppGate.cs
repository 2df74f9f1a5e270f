namespace Gateway.Sstp;

/// <summary>
/// PPP frame classification for the gating rules of [MS-SSTP] 3.3.7 / 3.2.7: control protocols
/// (0x8000-0xFFFF: NCPs, LCP, authentication) may flow before CALL_CONNECTED, network-layer data (0x0001-0x3FFF,
/// e.g. IPv4 0x0021 and IPv6 0x0057) only after it.
/// </summary>
internal static class SstpPppGate
{
    /// <summary>
    /// Reads the protocol field, skipping <c>FF 03</c> when present (ACFC may drop it, RFC 1661 6.6) and reading
    /// one byte when the first protocol byte is odd (PFC, RFC 1661 6.5).
    /// </summary>
    public static bool TryGetProtocol(ReadOnlySpan<byte> frame, out ushort protocol)
    {
        int i = frame.Length >= 2 && frame[0] == 0xFF && frame[1] == 0x03 ? 2 : 0;
        protocol = 0;
        if (frame.Length <= i)
        {
            return false;
        }

        byte first = frame[i];
        if ((first & 1) != 0)
        {
            protocol = first;
            return true;
        }

        if (frame.Length < i + 2)
        {
            return false;
        }

        protocol = (ushort)((first << 8) | frame[i + 1]);
        return true;
    }

    /// <summary>True for a frame of a control protocol (RFC 1661 2: 0x8000 and above).</summary>
    public static bool IsControlFrame(ReadOnlySpan<byte> frame) =>
        TryGetProtocol(frame, out ushort protocol) && protocol >= 0x8000;
}

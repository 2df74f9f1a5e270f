namespace Gateway.Sstp;

/// <summary>
/// Result of <see cref="SstpSession.Receive"/>. For <see cref="SstpInputKind.IPv4"/>/<see cref="SstpInputKind.IPv6"/>,
/// <see cref="Offset"/> and <see cref="Length"/> locate the IP packet inside the SSTP packet passed in (no copy).
/// </summary>
public readonly record struct SstpInput(SstpInputKind Kind, int Offset = 0, int Length = 0)
{
    public static SstpInput None => new(SstpInputKind.None);
    public static SstpInput Close => new(SstpInputKind.Close);
}

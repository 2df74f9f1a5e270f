namespace Gateway.Ppp;

/// <summary>
/// Outcome of <see cref="IPppEndpoint.Receive"/>. For <see cref="PppReceiveKind.IPv4"/> and
/// <see cref="PppReceiveKind.IPv6"/>, <see cref="Offset"/> and <see cref="Length"/> locate the IP packet inside
/// the frame that was passed in, so the data path copies nothing.
/// </summary>
public readonly record struct PppReceiveResult(PppReceiveKind Kind, int Offset = 0, int Length = 0)
{
    public static PppReceiveResult Consumed => new(PppReceiveKind.Consumed);
    public static PppReceiveResult Dropped => new(PppReceiveKind.Dropped);
}

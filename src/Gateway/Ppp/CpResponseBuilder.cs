namespace Gateway.Ppp;

/// <summary>
/// Collects a policy's verdict on the peer's Configure-Request, option by option (RFC 1661 5.1-5.4): options not
/// mentioned are acceptable. Rejects win over Naks; Naks win over Ack.
/// </summary>
public sealed class CpResponseBuilder
{
    internal CpOptionBuffer Rejects { get; } = new();

    internal CpOptionBuffer Naks { get; } = new();

    /// <summary>Originals of the Nak'd options, so Max-Failure can turn them into Rejects (RFC 1661 4.6).</summary>
    internal CpOptionBuffer NakedOriginals { get; } = new();

    public bool HasRejects => !Rejects.IsEmpty;

    public bool HasNaks => !Naks.IsEmpty;

    internal void Clear()
    {
        Rejects.Clear();
        Naks.Clear();
        NakedOriginals.Clear();
    }

    /// <summary>The option is unknown or not negotiable: Configure-Reject it verbatim (RFC 1661 5.4).</summary>
    public void Reject(in CpOption option) => Rejects.AddRaw(option.Raw);

    /// <summary>The option is known but its value is not acceptable: Configure-Nak it with <paramref name="suggestedValue"/>.</summary>
    public void Nak(in CpOption option, ReadOnlySpan<byte> suggestedValue)
    {
        Naks.Add(option.Type, suggestedValue);
        NakedOriginals.AddRaw(option.Raw);
    }

    /// <summary>Asks the peer to include an option it did not request (RFC 1661 5.3, last paragraph).</summary>
    public void NakMissing(byte type, ReadOnlySpan<byte> suggestedValue) => Naks.Add(type, suggestedValue);
}

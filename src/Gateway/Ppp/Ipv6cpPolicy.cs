using System.Buffers.Binary;

namespace Gateway.Ppp;

/// <summary>
/// IPv6CP policy for both ends (RFC 5072 4.1): our own non-zero Interface-Identifier; a peer identifier that is
/// zero or equal to ours is Nak'd with a unique suggestion; compression is rejected.
/// </summary>
internal sealed class Ipv6cpPolicy : INegotiationPolicy
{
    private readonly Random _random;
    private ulong _configuredLocal;
    private ulong _suggestedPeer;
    private bool _requestIid;

    public Ipv6cpPolicy(Random random)
    {
        _random = random;
        Reset();
    }

    public ulong LocalInterfaceId { get; private set; }

    /// <summary>The peer's identifier as acknowledged.</summary>
    public ulong PeerInterfaceId { get; private set; }

    /// <summary>Fixes our identifier and the one we suggest to the peer (0 = random).</summary>
    public void Configure(ulong local, ulong suggestedPeer)
    {
        _configuredLocal = local;
        _suggestedPeer = suggestedPeer;
        Reset();
    }

    public void Reset()
    {
        _requestIid = true;
        LocalInterfaceId = _configuredLocal != 0 ? _configuredLocal : NewIid(0);
        PeerInterfaceId = 0;
    }

    public void BuildRequest(CpOptionBuffer options)
    {
        if (_requestIid)
        {
            Span<byte> value = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(value, LocalInterfaceId);
            options.Add(Ipv6cpOption.InterfaceIdentifier, value);
        }
    }

    public void JudgeRequest(ReadOnlySpan<byte> options, CpResponseBuilder response)
    {
        Span<byte> value = stackalloc byte[8];
        foreach (CpOption option in CpPacket.EnumerateOptions(options))
        {
            if (option.Type == Ipv6cpOption.InterfaceIdentifier && option.Value.Length == 8)
            {
                ulong iid = BinaryPrimitives.ReadUInt64BigEndian(option.Value);
                if (iid == 0 || iid == LocalInterfaceId)
                {
                    ulong suggestion = _suggestedPeer != 0 && _suggestedPeer != LocalInterfaceId
                        ? _suggestedPeer
                        : NewIid(LocalInterfaceId);
                    BinaryPrimitives.WriteUInt64BigEndian(value, suggestion);
                    response.Nak(option, value);
                }

                continue;
            }

            response.Reject(option);
        }
    }

    public void OnRequestAcked(ReadOnlySpan<byte> options)
    {
        PeerInterfaceId = 0;
        foreach (CpOption option in CpPacket.EnumerateOptions(options))
        {
            if (option.Type == Ipv6cpOption.InterfaceIdentifier)
            {
                PeerInterfaceId = BinaryPrimitives.ReadUInt64BigEndian(option.Value);
            }
        }
    }

    public void OnAckReceived(ReadOnlySpan<byte> options)
    {
    }

    public NegotiationReaction OnNakReceived(ReadOnlySpan<byte> options)
    {
        foreach (CpOption option in CpPacket.EnumerateOptions(options))
        {
            if (option.Type == Ipv6cpOption.InterfaceIdentifier && option.Value.Length == 8)
            {
                ulong suggested = BinaryPrimitives.ReadUInt64BigEndian(option.Value);
                LocalInterfaceId = suggested != 0 && suggested != PeerInterfaceId ? suggested : NewIid(PeerInterfaceId);
            }
        }

        return NegotiationReaction.Continue;
    }

    public NegotiationReaction OnRejectReceived(ReadOnlySpan<byte> options)
    {
        foreach (CpOption option in CpPacket.EnumerateOptions(options))
        {
            if (option.Type == Ipv6cpOption.InterfaceIdentifier)
            {
                _requestIid = false;
            }
        }

        return NegotiationReaction.Continue;
    }

    private ulong NewIid(ulong avoid)
    {
        ulong iid;
        do
        {
            iid = (ulong)_random.NextInt64() ^ ((ulong)_random.NextInt64() << 1);
        }
        while (iid == 0 || iid == avoid);
        return iid;
    }
}

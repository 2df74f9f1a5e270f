using System.Buffers.Binary;

namespace Gateway.Ppp;

/// <summary>
/// IPCP policy of the gateway (RFC 1332, RFC 1877): announces the gateway address and tells the client its
/// assigned address and DNS servers through Configure-Nak; everything else is rejected (sstp-protocol.md 7.4).
/// Addresses are IPv4 in host order; 0 means "none".
/// </summary>
internal sealed class IpcpServerPolicy : INegotiationPolicy
{
    private uint _gateway;
    private uint _client;
    private uint _dns1;
    private uint _dns2;
    private bool _requestAddress;

    public bool IsConfigured { get; private set; }

    /// <summary>The client's address as we acknowledged it.</summary>
    public uint PeerAddress { get; private set; }

    public void Configure(uint client, uint gateway, uint dns1, uint dns2)
    {
        _client = client;
        _gateway = gateway;
        _dns1 = dns1;
        _dns2 = dns2;
        IsConfigured = true;
    }

    public void Reset()
    {
        _requestAddress = true;
        PeerAddress = 0;
    }

    public void BuildRequest(CpOptionBuffer options)
    {
        if (_requestAddress && _gateway != 0)
        {
            options.AddUInt32(IpcpOption.IpAddress, _gateway);
        }
    }

    public void JudgeRequest(ReadOnlySpan<byte> options, CpResponseBuilder response)
    {
        bool sawAddress = false;
        foreach (CpOption option in CpPacket.EnumerateOptions(options))
        {
            switch (option.Type)
            {
                case IpcpOption.IpAddress when option.Value.Length == 4:
                    sawAddress = true;
                    NakUnlessEqual(option, _client, response);
                    break;
                case IpcpOption.PrimaryDns when option.Value.Length == 4 && _dns1 != 0:
                    NakUnlessEqual(option, _dns1, response);
                    break;
                case IpcpOption.SecondaryDns when option.Value.Length == 4 && _dns2 != 0:
                    NakUnlessEqual(option, _dns2, response);
                    break;
                default:
                    // IP-Addresses (1), VJ compression (2), NBNS (130/132), DNS without a configured server,
                    // unknown options and wrong lengths.
                    response.Reject(option);
                    break;
            }
        }

        if (!sawAddress && _client != 0)
        {
            // RFC 1332 3.3: a peer that does not ask for an address is told the one it must use.
            Span<byte> value = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(value, _client);
            response.NakMissing(IpcpOption.IpAddress, value);
        }
    }

    public void OnRequestAcked(ReadOnlySpan<byte> options) => PeerAddress = IpcpOption.ReadAcknowledgedAddress(options);

    public void OnAckReceived(ReadOnlySpan<byte> options)
    {
    }

    /// <summary>The gateway address is ours to choose; a Nak of it changes nothing (the client must accept it).</summary>
    public NegotiationReaction OnNakReceived(ReadOnlySpan<byte> options) => NegotiationReaction.Continue;

    public NegotiationReaction OnRejectReceived(ReadOnlySpan<byte> options)
    {
        foreach (CpOption option in CpPacket.EnumerateOptions(options))
        {
            if (option.Type == IpcpOption.IpAddress)
            {
                _requestAddress = false;
            }
        }

        return NegotiationReaction.Continue;
    }

    private static void NakUnlessEqual(in CpOption option, uint expected, CpResponseBuilder response)
    {
        if (BinaryPrimitives.ReadUInt32BigEndian(option.Value) != expected)
        {
            Span<byte> value = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(value, expected);
            response.Nak(option, value);
        }
    }
}

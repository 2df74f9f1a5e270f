using System.Buffers.Binary;

namespace Gateway.Ppp;

/// <summary>
/// IPCP policy of the client: requests address 0.0.0.0 and DNS 0.0.0.0 and takes what the server Naks back
/// (RFC 1332 3.3, RFC 1877 1); acknowledges the server's own address.
/// </summary>
internal sealed class IpcpClientPolicy : INegotiationPolicy
{
    private readonly bool _askDns;
    private bool _requestAddress;
    private bool _requestDns1;
    private bool _requestDns2;

    public IpcpClientPolicy(bool askDns)
    {
        _askDns = askDns;
        Reset();
    }

    public uint Address { get; private set; }

    public uint Dns1 { get; private set; }

    public uint Dns2 { get; private set; }

    /// <summary>The server's address as acknowledged (0 when it did not announce one).</summary>
    public uint PeerAddress { get; private set; }

    public void Reset()
    {
        _requestAddress = true;
        _requestDns1 = _askDns;
        _requestDns2 = _askDns;
        Address = 0;
        Dns1 = 0;
        Dns2 = 0;
        PeerAddress = 0;
    }

    public void BuildRequest(CpOptionBuffer options)
    {
        if (_requestAddress)
        {
            options.AddUInt32(IpcpOption.IpAddress, Address);
        }

        if (_requestDns1)
        {
            options.AddUInt32(IpcpOption.PrimaryDns, Dns1);
        }

        if (_requestDns2)
        {
            options.AddUInt32(IpcpOption.SecondaryDns, Dns2);
        }
    }

    public void JudgeRequest(ReadOnlySpan<byte> options, CpResponseBuilder response)
    {
        foreach (CpOption option in CpPacket.EnumerateOptions(options))
        {
            if (option.Type == IpcpOption.IpAddress && option.Value.Length == 4
                && BinaryPrimitives.ReadUInt32BigEndian(option.Value) != 0)
            {
                continue;
            }

            response.Reject(option);
        }
    }

    public void OnRequestAcked(ReadOnlySpan<byte> options) => PeerAddress = IpcpOption.ReadAcknowledgedAddress(options);

    public void OnAckReceived(ReadOnlySpan<byte> options)
    {
    }

    public NegotiationReaction OnNakReceived(ReadOnlySpan<byte> options)
    {
        foreach (CpOption option in CpPacket.EnumerateOptions(options))
        {
            if (option.Value.Length != 4)
            {
                continue;
            }

            uint value = BinaryPrimitives.ReadUInt32BigEndian(option.Value);
            switch (option.Type)
            {
                case IpcpOption.IpAddress:
                    Address = value;
                    _requestAddress = true;
                    break;
                case IpcpOption.PrimaryDns when _askDns:
                    Dns1 = value;
                    break;
                case IpcpOption.SecondaryDns when _askDns:
                    Dns2 = value;
                    break;
            }
        }

        return NegotiationReaction.Continue;
    }

    public NegotiationReaction OnRejectReceived(ReadOnlySpan<byte> options)
    {
        foreach (CpOption option in CpPacket.EnumerateOptions(options))
        {
            switch (option.Type)
            {
                case IpcpOption.IpAddress:
                    _requestAddress = false;
                    break;
                case IpcpOption.PrimaryDns:
                    _requestDns1 = false;
                    Dns1 = 0;
                    break;
                case IpcpOption.SecondaryDns:
                    _requestDns2 = false;
                    Dns2 = 0;
                    break;
            }
        }

        return NegotiationReaction.Continue;
    }
}

using System.Buffers.Binary;

namespace Gateway.Ppp;

/// <summary>IPCP configuration option types (RFC 1332 3, RFC 1877 1).</summary>
public static class IpcpOption
{
    /// <summary>IP-Addresses (RFC 1172), deprecated by RFC 1332 3.1: rejected.</summary>
    public const byte IpAddresses = 1;
    /// <summary>IP-Compression-Protocol (RFC 1332 3.2, Van Jacobson): rejected.</summary>
    public const byte IpCompressionProtocol = 2;
    /// <summary>IP-Address (RFC 1332 3.3).</summary>
    public const byte IpAddress = 3;
    /// <summary>Primary DNS server address (RFC 1877 1.1).</summary>
    public const byte PrimaryDns = 129;
    /// <summary>Primary NBNS server address (RFC 1877 1.2): we have none, rejected.</summary>
    public const byte PrimaryNbns = 130;
    /// <summary>Secondary DNS server address (RFC 1877 1.3).</summary>
    public const byte SecondaryDns = 131;
    /// <summary>Secondary NBNS server address (RFC 1877 1.4).</summary>
    public const byte SecondaryNbns = 132;

    /// <summary>
    /// The IP-Address (RFC 1332 3.3) in Configure-Request options we acknowledged, 0 when the peer named none;
    /// the last one counts. The options already passed JudgeRequest, which Acks only a 4-byte value.
    /// </summary>
    internal static uint ReadAcknowledgedAddress(ReadOnlySpan<byte> options)
    {
        uint address = 0;
        foreach (CpOption option in CpPacket.EnumerateOptions(options))
        {
            if (option.Type == IpAddress)
            {
                address = BinaryPrimitives.ReadUInt32BigEndian(option.Value);
            }
        }

        return address;
    }
}

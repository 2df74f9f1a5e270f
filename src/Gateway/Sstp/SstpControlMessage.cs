using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Gateway.Sstp;

/// <summary>
/// A control packet ([MS-SSTP] 2.2.3): Message Type, then the attributes. Parsing checks the structure only
/// (header, known message type, attribute lengths adding up exactly); which attributes a given message may carry
/// is checked by the session, because the reaction (NAK, ABORT) depends on the state.
/// Control messages are rare (handshake, echo, teardown), so this type allocates.
/// </summary>
public sealed class SstpControlMessage
{
    private readonly SstpAttribute[] _attributes;

    public SstpControlMessage(SstpMessageType messageType, params SstpAttribute[] attributes)
    {
        MessageType = messageType;
        _attributes = attributes;
    }

    public SstpMessageType MessageType { get; }

    public IReadOnlyList<SstpAttribute> Attributes => _attributes;

    /// <summary>Total packet length, header included.</summary>
    public int EncodedLength
    {
        get
        {
            int length = SstpConstants.ControlHeaderLength;
            foreach (var attribute in _attributes)
            {
                length += attribute.EncodedLength;
            }

            return length;
        }
    }

    /// <summary>How many attributes with <paramref name="id"/> the message carries.</summary>
    public int Count(SstpAttributeId id)
    {
        int n = 0;
        foreach (var attribute in _attributes)
        {
            if (attribute.Id == id)
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Writes the whole packet; returns its length. Throws if it would exceed 4095 bytes.</summary>
    public int Write(Span<byte> destination)
    {
        int length = EncodedLength;
        if (length > SstpConstants.MaxPacketLength)
        {
            throw new InvalidOperationException($"Control message {MessageType} of {length} bytes exceeds 4095 (MS-SSTP 2.2.1).");
        }

        if (_attributes.Length > ushort.MaxValue)
        {
            throw new InvalidOperationException("Too many attributes.");
        }

        SstpPacketHeader.Write(destination, isControl: true, length);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)MessageType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)_attributes.Length);
        int offset = SstpConstants.ControlHeaderLength;
        foreach (var attribute in _attributes)
        {
            offset += attribute.Write(destination[offset..]);
        }

        return offset;
    }

    public void Write(IBufferWriter<byte> writer)
    {
        int length = EncodedLength;
        Span<byte> span = writer.GetSpan(length);
        writer.Advance(Write(span));
    }

    public byte[] ToArray()
    {
        var bytes = new byte[EncodedLength];
        Write(bytes);
        return bytes;
    }

    /// <summary>
    /// Parses one complete control packet (<paramref name="packet"/> must be exactly the packet, header included).
    /// Attribute values are copied, so the message outlives the input buffer.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, [NotNullWhen(true)] out SstpControlMessage? message, out SstpParseError error)
    {
        message = null;
        if (!SstpPacketHeader.TryRead(packet, out var header, out error))
        {
            return false;
        }

        if (!header.IsControl)
        {
            error = SstpParseError.NotAControlPacket;
            return false;
        }

        if (header.Length != packet.Length)
        {
            error = SstpParseError.LengthMismatch;
            return false;
        }

        ushort type = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        if (type < (ushort)SstpMessageType.CallConnectRequest || type > (ushort)SstpMessageType.EchoResponse)
        {
            error = SstpParseError.UnknownMessageType;
            return false;
        }

        int count = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);

        // Every attribute takes at least 4 bytes, so a count that cannot fit is rejected before allocating.
        ReadOnlySpan<byte> rest = packet[SstpConstants.ControlHeaderLength..];
        if ((long)count * SstpConstants.AttributeHeaderLength > rest.Length)
        {
            error = SstpParseError.AttributeTruncated;
            return false;
        }

        byte[] copy = rest.ToArray();
        var attributes = count == 0 ? [] : new SstpAttribute[count];
        int offset = 0;
        for (int i = 0; i < count; i++)
        {
            if (copy.Length - offset < SstpConstants.AttributeHeaderLength)
            {
                error = SstpParseError.AttributeTruncated;
                return false;
            }

            // The 4 bits in front of the 12-bit attribute length are reserved and ignored on receipt (2.2.2).
            int length = BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(offset + 2)) & SstpConstants.LengthMask;
            if (length < SstpConstants.AttributeHeaderLength)
            {
                error = SstpParseError.AttributeTooShort;
                return false;
            }

            if (length > copy.Length - offset)
            {
                error = SstpParseError.AttributeTruncated;
                return false;
            }

            attributes[i] = new SstpAttribute(
                (SstpAttributeId)copy[offset + 1],
                new ReadOnlyMemory<byte>(copy, offset + SstpConstants.AttributeHeaderLength, length - SstpConstants.AttributeHeaderLength));
            offset += length;
        }

        if (offset != copy.Length)
        {
            error = SstpParseError.TrailingBytes;
            return false;
        }

        message = new SstpControlMessage((SstpMessageType)type, attributes);
        error = SstpParseError.None;
        return true;
    }

    /// <summary>2.2.9: exactly one Encapsulated Protocol ID = PPP. Always the same 14 bytes.</summary>
    public static SstpControlMessage CallConnectRequest() =>
        new(SstpMessageType.CallConnectRequest, SstpEncapsulatedProtocolId.Ppp.ToAttribute());

    /// <summary>2.2.10: exactly one Crypto Binding Request.</summary>
    public static SstpControlMessage CallConnectAck(SstpHashProtocol hashProtocols, ReadOnlyMemory<byte> nonce) =>
        new(SstpMessageType.CallConnectAck, new SstpCryptoBindingRequest(hashProtocols, nonce).ToAttribute());

    /// <summary>2.2.11: one Status Info per unacceptable attribute.</summary>
    public static SstpControlMessage CallConnectNak(params SstpStatusInfo[] statuses)
    {
        var attributes = new SstpAttribute[statuses.Length];
        for (int i = 0; i < statuses.Length; i++)
        {
            attributes[i] = statuses[i].ToAttribute();
        }

        return new SstpControlMessage(SstpMessageType.CallConnectNak, attributes);
    }

    /// <summary>2.2.12: exactly one Crypto Binding.</summary>
    public static SstpControlMessage CallConnected(SstpCryptoBinding binding) =>
        new(SstpMessageType.CallConnected, binding.ToAttribute());

    /// <summary>2.2.13: zero or one Status Info.</summary>
    public static SstpControlMessage CallAbort(SstpStatusInfo? status) =>
        status is { } s ? new(SstpMessageType.CallAbort, s.ToAttribute()) : new(SstpMessageType.CallAbort);

    /// <summary>2.2.14: zero or one Status Info.</summary>
    public static SstpControlMessage CallDisconnect(SstpStatusInfo? status) =>
        status is { } s ? new(SstpMessageType.CallDisconnect, s.ToAttribute()) : new(SstpMessageType.CallDisconnect);

    /// <summary>2.2.15 - 2.2.17: no attributes, 8 bytes.</summary>
    public static SstpControlMessage CallDisconnectAck() => new(SstpMessageType.CallDisconnectAck);

    public static SstpControlMessage EchoRequest() => new(SstpMessageType.EchoRequest);

    public static SstpControlMessage EchoResponse() => new(SstpMessageType.EchoResponse);
}

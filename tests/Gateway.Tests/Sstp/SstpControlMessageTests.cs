using FsCheck.Xunit;
using Gateway.Sstp;

namespace Gateway.Tests.Sstp;

public class SstpControlMessageTests
{
    private static readonly byte[] Sha256Nonce = Hex.Bytes("412B489AEBD7ECC7D08966F26BE7CD72B231A0E9210D7C91B308862B0344C435");
    private static readonly byte[] Sha256CertHash = Hex.Bytes("7993EF314C493DACE9F02D60E7E61C84B6690AAFE9D7AEEA92CBBE8AD599422D");
    private static readonly byte[] Sha256Mac = Hex.Bytes("52A68EFD8CFFBF52770B8F0FE8EC73716583AF6D611EB6D179B3B20840985449");

    [Fact]
    public void Call_connect_request_is_the_fixed_14_bytes()
    {
        Assert.Equal("1001000E000100010001000600 01".Replace(" ", ""), Hex.Of(SstpControlMessage.CallConnectRequest().ToArray()));
    }

    [Fact]
    public void Call_connect_ack_sha256_matches_the_spec_image()
    {
        byte[] bytes = SstpControlMessage.CallConnectAck(SstpHashProtocol.Sha256, Sha256Nonce).ToArray();
        Assert.Equal(48, bytes.Length);
        Assert.Equal("10010030000200010004002800000002" + Hex.Of(Sha256Nonce), Hex.Of(bytes));

        Assert.True(SstpControlMessage.TryParse(bytes, out var message, out _));
        Assert.Equal(SstpMessageType.CallConnectAck, message.MessageType);
        Assert.True(SstpCryptoBindingRequest.TryParse(message.Attributes[0], out var request, out _));
        Assert.Equal(SstpHashProtocol.Sha256, request.HashProtocols);
        Assert.Equal(Sha256Nonce, request.Nonce.ToArray());
    }

    [Fact]
    public void Call_connected_matches_the_spec_image_and_decodes()
    {
        var binding = new SstpCryptoBinding(SstpHashProtocol.Sha256, Sha256Nonce, Sha256CertHash, Sha256Mac);
        byte[] bytes = SstpControlMessage.CallConnected(binding).ToArray();

        Assert.Equal(112, bytes.Length);
        Assert.Equal("10010070000400010003006800000002" + Hex.Of(Sha256Nonce) + Hex.Of(Sha256CertHash) + Hex.Of(Sha256Mac), Hex.Of(bytes));

        Assert.True(SstpControlMessage.TryParse(bytes, out var message, out _));
        Assert.True(SstpCryptoBinding.TryParse(Assert.Single(message.Attributes), out var decoded, out _));
        Assert.Equal(SstpHashProtocol.Sha256, decoded.HashProtocol);
        Assert.Equal(Sha256Nonce, decoded.Nonce.ToArray());
        Assert.Equal(Sha256CertHash, decoded.CertHash.ToArray());
        Assert.Equal(Sha256Mac, decoded.CompoundMac.ToArray());
    }

    [Fact]
    public void Sha1_fields_are_zero_padded_to_32_bytes()
    {
        byte[] nonce = Hex.Bytes("0F1A2D58D4A3E3000FAD3CE4906E07B707AA9E441CCEAC5CBD7B2CC1C9D86CDF");
        byte[] certHash = Hex.Bytes("5826B629BDA59B8E6FD8DCD2622FD34C534805A5");
        byte[] mac = Hex.Bytes("69915DD583D8062FEF16F61DB2F03290EC27CB6C");
        byte[] bytes = SstpControlMessage.CallConnected(new SstpCryptoBinding(SstpHashProtocol.Sha1, nonce, certHash, mac)).ToArray();

        Assert.Equal("10010070000400010003006800000001", Hex.Of(bytes.AsSpan(0, 16)));
        Assert.Equal(Hex.Of(certHash) + new string('0', 24), Hex.Of(bytes.AsSpan(48, 32)));
        Assert.Equal(Hex.Of(mac) + new string('0', 24), Hex.Of(bytes.AsSpan(80, 32)));
        Assert.Equal("10010030000200010004002800000001" + Hex.Of(nonce),
            Hex.Of(SstpControlMessage.CallConnectAck(SstpHashProtocol.Sha1, nonce).ToArray()));
    }

    [Fact]
    public void Attribute_less_messages_match_the_spec_images()
    {
        Assert.Equal("1001000800080000", Hex.Of(SstpControlMessage.EchoRequest().ToArray()));
        Assert.Equal("1001000800090000", Hex.Of(SstpControlMessage.EchoResponse().ToArray()));
        Assert.Equal("1001000800070000", Hex.Of(SstpControlMessage.CallDisconnectAck().ToArray()));
        Assert.Equal("10010014000600010002000C0000000000000000", Hex.Of(SstpControlMessage.CallDisconnect(SstpStatusInfo.NoError).ToArray()));
        Assert.Equal("1001000800060000", Hex.Of(SstpControlMessage.CallDisconnect(null).ToArray()));
        Assert.Equal("1001000800050000", Hex.Of(SstpControlMessage.CallAbort(null).ToArray()));
        Assert.Equal("10010014000500010002000C0000000000000008",
            Hex.Of(SstpControlMessage.CallAbort(new SstpStatusInfo(SstpAttributeId.NoError, SstpStatus.NegotiationTimeout)).ToArray()));
    }

    [Fact]
    public void Nak_carries_one_status_info_per_problem_with_attrib_value()
    {
        byte[] bytes = SstpControlMessage.CallConnectNak(
            new SstpStatusInfo(SstpAttributeId.EncapsulatedProtocolId, SstpStatus.ValueNotSupported, new byte[] { 0x00, 0x02 }),
            new SstpStatusInfo(SstpAttributeId.StatusInfo, SstpStatus.RequiredAttributeMissing)).ToArray();

        Assert.Equal("10010022" + "00030002" + "0002000E00000001000000040002" + "0002000C000000020000000A", Hex.Of(bytes));
        Assert.True(SstpControlMessage.TryParse(bytes, out var message, out _));
        Assert.True(SstpStatusInfo.TryParse(message.Attributes[0], out var first, out _));
        Assert.Equal(SstpAttributeId.EncapsulatedProtocolId, first.AttributeId);
        Assert.Equal(SstpStatus.ValueNotSupported, first.Status);
        Assert.Equal("0002", Hex.Of(first.Value.Span));
    }

    [Theory]
    [InlineData("1000000800080000", SstpParseError.NotAControlPacket)]
    [InlineData("1001000800000000", SstpParseError.UnknownMessageType)]
    [InlineData("10010008000A0000", SstpParseError.UnknownMessageType)]
    [InlineData("10010008FFFF0000", SstpParseError.UnknownMessageType)]
    [InlineData("1001000900080000", SstpParseError.LengthMismatch)]
    [InlineData("100100080008000000", SstpParseError.LengthMismatch)]
    [InlineData("1001000800080001", SstpParseError.AttributeTruncated)]
    [InlineData("100100080008FFFF", SstpParseError.AttributeTruncated)]
    [InlineData("1001000C000100010001000300", SstpParseError.LengthMismatch)]
    [InlineData("1001000C0001000100010003", SstpParseError.AttributeTooShort)]
    [InlineData("1001000C0001000100010000", SstpParseError.AttributeTooShort)]
    [InlineData("1001000E00010001000100070001", SstpParseError.AttributeTruncated)]
    [InlineData("1001000E00010002000100060001", SstpParseError.AttributeTruncated)]
    [InlineData("1001000F00010001000100060001FF", SstpParseError.TrailingBytes)]
    [InlineData("1001000C0008000000000000", SstpParseError.TrailingBytes)]
    [InlineData("1101000800080000", SstpParseError.UnsupportedVersion)]
    [InlineData("1001000700080000", SstpParseError.ControlPacketTooShort)]
    public void Malformed_control_message_is_rejected_with_its_reason(string hex, SstpParseError expected)
    {
        Assert.False(SstpControlMessage.TryParse(Hex.Bytes(hex), out var message, out var error));
        Assert.Null(message);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Reserved_bits_of_an_attribute_length_are_ignored()
    {
        // MS-SSTP 2.2.2: the 4 reserved bits are ignored on receipt.
        Assert.True(SstpControlMessage.TryParse(Hex.Bytes("1001000E000100010001F0060001"), out var message, out _));
        Assert.True(SstpEncapsulatedProtocolId.TryParse(message.Attributes[0], out var protocol, out _));
        Assert.Equal(1, protocol.ProtocolId);
    }

    [Theory]
    [InlineData(SstpAttributeId.EncapsulatedProtocolId, 1, SstpParseError.InvalidAttributeLength)]
    [InlineData(SstpAttributeId.EncapsulatedProtocolId, 3, SstpParseError.InvalidAttributeLength)]
    [InlineData(SstpAttributeId.StatusInfo, 2, SstpParseError.WrongAttributeId)]
    public void Encapsulated_protocol_id_value_errors(SstpAttributeId id, int valueLength, SstpParseError expected)
    {
        Assert.False(SstpEncapsulatedProtocolId.TryParse(new SstpAttribute(id, new byte[valueLength]), out _, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData(SstpAttributeId.StatusInfo, 7, SstpParseError.InvalidAttributeLength)]
    [InlineData(SstpAttributeId.StatusInfo, 8 + 65, SstpParseError.InvalidAttributeLength)]
    [InlineData(SstpAttributeId.CryptoBinding, 8, SstpParseError.WrongAttributeId)]
    public void Status_info_value_errors(SstpAttributeId id, int valueLength, SstpParseError expected)
    {
        Assert.False(SstpStatusInfo.TryParse(new SstpAttribute(id, new byte[valueLength]), out _, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData(SstpAttributeId.CryptoBinding, 99, SstpParseError.InvalidAttributeLength)]
    [InlineData(SstpAttributeId.CryptoBinding, 101, SstpParseError.InvalidAttributeLength)]
    [InlineData(SstpAttributeId.CryptoBindingRequest, 100, SstpParseError.WrongAttributeId)]
    public void Crypto_binding_value_errors(SstpAttributeId id, int valueLength, SstpParseError expected)
    {
        Assert.False(SstpCryptoBinding.TryParse(new SstpAttribute(id, new byte[valueLength]), out _, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData(SstpAttributeId.CryptoBindingRequest, 35, SstpParseError.InvalidAttributeLength)]
    [InlineData(SstpAttributeId.CryptoBindingRequest, 37, SstpParseError.InvalidAttributeLength)]
    [InlineData(SstpAttributeId.CryptoBinding, 36, SstpParseError.WrongAttributeId)]
    public void Crypto_binding_request_value_errors(SstpAttributeId id, int valueLength, SstpParseError expected)
    {
        Assert.False(SstpCryptoBindingRequest.TryParse(new SstpAttribute(id, new byte[valueLength]), out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Writers_refuse_values_that_cannot_be_encoded()
    {
        Assert.Throws<InvalidOperationException>(() => new SstpStatusInfo(SstpAttributeId.NoError, SstpStatus.NoError, new byte[65]).ToAttribute());
        Assert.Throws<InvalidOperationException>(() => new SstpCryptoBindingRequest(SstpHashProtocol.Sha256, new byte[31]).ToAttribute());
        Assert.Throws<InvalidOperationException>(() => new SstpCryptoBinding(SstpHashProtocol.Sha256, new byte[32], new byte[33], default).ToAttribute());
        Assert.Throws<InvalidOperationException>(() => new SstpControlMessage(SstpMessageType.EchoRequest, new SstpAttribute(SstpAttributeId.NoError, new byte[4088])).ToArray());
    }

    [Property(MaxTest = 300)]
    public bool Generic_messages_round_trip(byte typeSeed, byte[] ids, byte[][] values)
    {
        var type = (SstpMessageType)(1 + typeSeed % 9);
        ids ??= [];
        values ??= [];
        var attributes = new List<SstpAttribute>();
        int budget = SstpConstants.MaxPacketLength - SstpConstants.ControlHeaderLength;
        for (int i = 0; i < Math.Min(ids.Length, values.Length); i++)
        {
            byte[] value = (values[i] ?? []).Take(Math.Max(0, budget - 4)).ToArray();
            if (budget < 4)
            {
                break;
            }

            budget -= 4 + value.Length;
            attributes.Add(new SstpAttribute((SstpAttributeId)ids[i], value));
        }

        var original = new SstpControlMessage(type, attributes.ToArray());
        byte[] encoded = original.ToArray();
        if (!SstpControlMessage.TryParse(encoded, out var decoded, out _))
        {
            return false;
        }

        return decoded.MessageType == type
            && decoded.Attributes.Count == attributes.Count
            && decoded.Attributes.Select((a, i) => a.Id == attributes[i].Id && a.Value.Span.SequenceEqual(attributes[i].Value.Span)).All(x => x)
            && decoded.ToArray().AsSpan().SequenceEqual(encoded);
    }

    [Property(MaxTest = 200)]
    public bool Status_info_round_trips(byte attributeId, uint status, byte[] value)
    {
        byte[] v = (value ?? []).Take(64).ToArray();
        var original = new SstpStatusInfo((SstpAttributeId)attributeId, (SstpStatus)status, v);
        byte[] bytes = SstpControlMessage.CallAbort(original).ToArray();
        return SstpControlMessage.TryParse(bytes, out var message, out _)
            && message.MessageType == SstpMessageType.CallAbort
            && SstpStatusInfo.TryParse(message.Attributes[0], out var decoded, out _)
            && decoded.AttributeId == original.AttributeId
            && decoded.Status == original.Status
            && decoded.Value.Span.SequenceEqual(v)
            && message.Attributes[0].EncodedLength == 12 + v.Length;
    }

    [Property(MaxTest = 200)]
    public bool Crypto_binding_and_request_round_trip(byte hash, int seed)
    {
        var random = new Random(seed);
        byte[] nonce = new byte[32], certHash = new byte[32], mac = new byte[32];
        random.NextBytes(nonce);
        random.NextBytes(certHash);
        random.NextBytes(mac);

        byte[] connected = SstpControlMessage.CallConnected(new SstpCryptoBinding((SstpHashProtocol)hash, nonce, certHash, mac)).ToArray();
        byte[] ack = SstpControlMessage.CallConnectAck((SstpHashProtocol)hash, nonce).ToArray();

        return connected.Length == 112 && ack.Length == 48
            && SstpControlMessage.TryParse(connected, out var m1, out _)
            && SstpCryptoBinding.TryParse(m1.Attributes[0], out var binding, out _)
            && binding.HashProtocol == (SstpHashProtocol)hash
            && binding.Nonce.Span.SequenceEqual(nonce) && binding.CertHash.Span.SequenceEqual(certHash) && binding.CompoundMac.Span.SequenceEqual(mac)
            && SstpControlMessage.TryParse(ack, out var m2, out _)
            && SstpCryptoBindingRequest.TryParse(m2.Attributes[0], out var request, out _)
            && request.HashProtocols == (SstpHashProtocol)hash && request.Nonce.Span.SequenceEqual(nonce);
    }

    [Property(MaxTest = 200)]
    public bool Encapsulated_protocol_id_round_trips(ushort protocol)
    {
        byte[] bytes = new SstpControlMessage(SstpMessageType.CallConnectRequest, new SstpEncapsulatedProtocolId(protocol).ToAttribute()).ToArray();
        return bytes.Length == 14
            && SstpControlMessage.TryParse(bytes, out var message, out _)
            && SstpEncapsulatedProtocolId.TryParse(message.Attributes[0], out var decoded, out _)
            && decoded.ProtocolId == protocol;
    }

    [Property(MaxTest = 500)]
    public bool Arbitrary_bytes_give_a_message_or_a_parse_error(byte[] bytes)
    {
        bytes ??= [];
        bool ok = SstpControlMessage.TryParse(bytes, out var message, out var error);
        if (!ok)
        {
            return message is null && error != SstpParseError.None;
        }

        foreach (var attribute in message!.Attributes)
        {
            // Typed decoders must also answer with a status, never throw.
            _ = SstpStatusInfo.TryParse(attribute, out _, out _);
            _ = SstpCryptoBinding.TryParse(attribute, out _, out _);
            _ = SstpCryptoBindingRequest.TryParse(attribute, out _, out _);
            _ = SstpEncapsulatedProtocolId.TryParse(attribute, out _, out _);
        }

        return error == SstpParseError.None && message.ToArray().Length == bytes.Length;
    }

    [Property(MaxTest = 500)]
    public bool Arbitrary_attribute_bodies_behind_a_valid_header_never_throw(byte type, byte[] body)
    {
        body = (body ?? []).Take(4000).ToArray();
        var bytes = new byte[8 + body.Length];
        SstpPacketHeader.Write(bytes, isControl: true, bytes.Length);
        bytes[5] = (byte)(1 + type % 9);
        bytes[7] = (byte)(type % 4);
        body.CopyTo(bytes, 8);
        bool ok = SstpControlMessage.TryParse(bytes, out var message, out var error);
        return ok ? message!.ToArray().Length == bytes.Length : error != SstpParseError.None;
    }
}

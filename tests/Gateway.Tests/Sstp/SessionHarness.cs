using System.Buffers;
using System.Security.Cryptography;
using Gateway.Sstp;

namespace Gateway.Tests.Sstp;

/// <summary>Shared plumbing for session tests: split an output buffer into packets, build client messages.</summary>
internal static class SessionHarness
{
    public static readonly byte[] CertSha1 = SHA1.HashData("test certificate"u8);
    public static readonly byte[] CertSha256 = SHA256.HashData("test certificate"u8);
    public static readonly byte[] FixedNonce = Enumerable.Range(0xA0, 32).Select(i => (byte)i).ToArray();
    public static readonly byte[] Hlak = Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray();

    /// <summary>LCP Configure-Request with an MRU option.</summary>
    public static readonly byte[] LcpFrame = Hex.Bytes("FF03C021 0101 0008 01 04 05DC");

    /// <summary>An IPv4 frame: FF 03 00 21 and a 20-byte header.</summary>
    public static readonly byte[] Ipv4Frame = Hex.Bytes("FF030021 4500001400000000400100007F0000017F000001");

    public static List<byte[]> Drain(ArrayBufferWriter<byte> output)
    {
        var packets = new List<byte[]>();
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory.ToArray());
        while (SstpFrameReader.TryReadPacket(ref buffer, out var packet, out var error) == SstpReadStatus.Packet)
        {
            packets.Add(packet.ToArray());
        }

        Assert.True(buffer.IsEmpty, "output holds a partial or invalid packet");
        output.Clear();
        return packets;
    }

    public static SstpControlMessage Control(byte[] packet)
    {
        Assert.True(SstpControlMessage.TryParse(packet, out var message, out var error), error.ToString());
        return message;
    }

    public static SstpStatusInfo StatusOf(SstpControlMessage message, int index = 0)
    {
        Assert.True(SstpStatusInfo.TryParse(message.Attributes[index], out var status, out var error), error.ToString());
        return status;
    }

    public static byte[] DataPacket(byte[] frame)
    {
        var packet = new byte[frame.Length + 4];
        SstpFrameWriter.WriteDataHeader(packet, frame.Length);
        frame.CopyTo(packet, 4);
        return packet;
    }

    /// <summary>A correct CALL_CONNECTED for <paramref name="nonce"/>, optionally altered before the MAC.</summary>
    public static byte[] CallConnected(SstpHashProtocol protocol, byte[] nonce, byte[] hlak, Action<byte[]>? beforeMac = null, Action<byte[]>? afterMac = null)
    {
        byte[] certHash = protocol == SstpHashProtocol.Sha1 ? CertSha1 : CertSha256;
        byte[] message = SstpControlMessage.CallConnected(new SstpCryptoBinding(protocol, nonce, certHash, default)).ToArray();
        beforeMac?.Invoke(message);
        SstpCompoundMac.Compute(protocol, hlak, message, message.AsSpan(80));
        afterMac?.Invoke(message);
        return message;
    }
}

using System.Text;

namespace Gateway.Ppp.Auth;

/// <summary>RFC 1334 PAP peer: sends Authenticate-Request until Ack/Nak (restart timer, new Identifier each time).</summary>
internal sealed class PapClientAuthenticator : ClientAuthenticatorBase
{
    private byte _identifier;

    public PapClientAuthenticator(ClientAuthenticatorContext context)
        : base(context)
    {
    }

    public override ushort Protocol => PapServerAuthenticator.PapProtocol;

    protected override void OnStart(IAuthOutput output, long nowMs)
    {
        Span<byte> id = stackalloc byte[1];
        Context.Random(id);
        _identifier = id[0];
        Send(output);
        ArmRestartTimer(nowMs);
    }

    protected override void Retransmit(IAuthOutput output)
    {
        _identifier++;
        Send(output);
    }

    public override AuthStatus Receive(ReadOnlySpan<byte> packet, IAuthOutput output, long nowMs)
    {
        if (Status != AuthStatus.Pending
            || !AuthPacket.TryParse(packet, out byte code, out _, out ReadOnlySpan<byte> data)
            || code is not (PapServerAuthenticator.AuthenticateAck or PapServerAuthenticator.AuthenticateNak))
        {
            return Status;
        }

        // RFC 1334 2.2.2: Msg-Length, Message (tolerate a missing or short message).
        string message = data.Length >= 1 ? AuthText.Decode(data.Slice(1, Math.Min(data[0], data.Length - 1))) : string.Empty;
        if (code == PapServerAuthenticator.AuthenticateAck)
        {
            Succeed(stackalloc byte[MsChapV2Crypto.HlakLength]);
        }
        else
        {
            Fail("PAP Authenticate-Nak: " + message);
        }

        return Status;
    }

    private void Send(IAuthOutput output)
    {
        byte[] user = AuthText.EncodeName(Context.UserName);
        byte[] password = Encoding.UTF8.GetBytes(Context.Password);
        int passwordLength = Math.Min(password.Length, 255);
        byte[] packet = AuthPacket.Create(PapServerAuthenticator.AuthenticateRequest, _identifier, 2 + user.Length + passwordLength);
        Span<byte> data = packet.AsSpan(AuthPacket.HeaderLength);
        data[0] = (byte)user.Length;
        user.CopyTo(data[1..]);
        data[1 + user.Length] = (byte)passwordLength;
        password.AsSpan(0, passwordLength).CopyTo(data[(2 + user.Length)..]);
        output.Send(Protocol, packet);
        Array.Clear(packet);
        Array.Clear(password);
    }
}

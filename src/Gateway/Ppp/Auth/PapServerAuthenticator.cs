using System.Security.Cryptography;
using System.Text;

namespace Gateway.Ppp.Auth;

/// <summary>
/// RFC 1334 PAP authenticator. The peer sends Authenticate-Request; the password is checked against the stored
/// NT hash (MD4 of the UTF-16LE password) in constant time. HLAK stays 32 zero bytes (MS-SSTP 3.2.5.2).
/// </summary>
internal sealed class PapServerAuthenticator : ServerAuthenticatorBase
{
    /// <summary>RFC 1334 2.2 codes.</summary>
    internal const byte AuthenticateRequest = 1, AuthenticateAck = 2, AuthenticateNak = 3;

    /// <summary>PPP protocol number of PAP (RFC 1334 2).</summary>
    internal const ushort PapProtocol = 0xC023;

    private byte[]? _reply;

    public PapServerAuthenticator(ServerAuthenticatorContext context)
        : base(context)
    {
    }

    public override ushort Protocol => PapProtocol;

    protected override AuthMethod Method => AuthMethod.Pap;

    protected override void OnStart(IAuthOutput output, long nowMs)
    {
        // RFC 1334 2.2: the peer sends first; only the overall deadline runs.
    }

    public override AuthStatus Receive(ReadOnlySpan<byte> packet, IAuthOutput output, long nowMs)
    {
        if (!AuthPacket.TryParse(packet, out byte code, out byte identifier, out ReadOnlySpan<byte> data))
        {
            Discard("bad header or length");
            return Status;
        }

        if (code != AuthenticateRequest)
        {
            Discard($"unexpected code {code}");
            return Status;
        }

        if (Status != AuthStatus.Pending)
        {
            // Our Ack/Nak was lost and the peer retransmits (with a new Identifier, RFC 1334 2.2.1):
            // answer the same way, like pppd does.
            if (_reply is not null)
            {
                byte[] again = (byte[])_reply.Clone();
                again[1] = identifier;
                output.Send(Protocol, again);
            }

            return Status;
        }

        // RFC 1334 2.2.1: Peer-ID Length, Peer-ID, Passwd-Length, Password.
        if (data.Length < 1 || data.Length < 1 + data[0] + 1 || data.Length < 1 + data[0] + 1 + data[1 + data[0]])
        {
            Reply(output, identifier, AuthenticateNak, AuthText.AuthenticationFailed);
            Fail("malformed Authenticate-Request (field lengths exceed the packet)");
            return Status;
        }

        ReadOnlySpan<byte> peerId = data.Slice(1, data[0]);
        int passwordLength = data[1 + data[0]];
        ReadOnlySpan<byte> password = data.Slice(2 + data[0], passwordLength);
        UserName = AuthText.Decode(peerId);

        string lookupName = AuthText.Decode(AuthText.StripDomain(peerId));
        var user = Credentials.Find(lookupName);

        Span<byte> computed = stackalloc byte[MsChapV2Crypto.PasswordHashLength];
        Span<char> passwordChars = stackalloc char[256];
        int charCount = Encoding.UTF8.GetChars(password, passwordChars);
        MsChapV2Crypto.NtPasswordHash(passwordChars[..charCount], computed);
        passwordChars.Clear();
        bool match = user is not null && HashEquals(user.NtHash, computed);
        CryptographicOperations.ZeroMemory(computed);

        if (user is null)
        {
            Reply(output, identifier, AuthenticateNak, AuthText.AuthenticationFailed);
            Fail($"unknown user '{AuthText.ForLog(lookupName)}'");
        }
        else if (user.Disabled)
        {
            Reply(output, identifier, AuthenticateNak, AuthText.AccountDisabled);
            Fail("account disabled");
        }
        else if (!match)
        {
            Reply(output, identifier, AuthenticateNak, AuthText.AuthenticationFailed);
            Fail("wrong password");
        }
        else
        {
            Reply(output, identifier, AuthenticateAck, AuthText.AccessGranted);
            Succeed(stackalloc byte[MsChapV2Crypto.HlakLength]);
        }

        return Status;
    }

    private void Reply(IAuthOutput output, byte identifier, byte code, string message)
    {
        // RFC 1334 2.2.2: Msg-Length, Message.
        byte[] reply = AuthPacket.Create(code, identifier, 1 + message.Length);
        reply[AuthPacket.HeaderLength] = (byte)message.Length;
        Encoding.ASCII.GetBytes(message, reply.AsSpan(AuthPacket.HeaderLength + 1));
        _reply = reply;
        SendFinal(output, reply);
    }
}

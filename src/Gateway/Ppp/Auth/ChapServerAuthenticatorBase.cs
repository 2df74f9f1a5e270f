namespace Gateway.Ppp.Auth;

/// <summary>
/// The CHAP exchange (RFC 1994 4) shared by CHAP-MD5 and MS-CHAPv2 (RFC 2759 3-6): one Challenge, retransmitted
/// until a Response with its Identifier arrives, then Success or Failure, repeated for a late Response.
/// Subclasses only judge the Response Value.
/// </summary>
internal abstract class ChapServerAuthenticatorBase : ServerAuthenticatorBase
{
    private readonly byte[] _challenge;
    private byte _identifier;
    private byte[]? _final;

    protected ChapServerAuthenticatorBase(ServerAuthenticatorContext context, int challengeLength)
        : base(context)
    {
        _challenge = new byte[challengeLength];
    }

    public sealed override ushort Protocol => ChapPacket.Protocol;

    /// <summary>The Identifier of our Challenge (and of the Response being judged).</summary>
    protected byte Identifier => _identifier;

    /// <summary>The Challenge Value we sent.</summary>
    protected ReadOnlySpan<byte> Challenge => _challenge;

    protected sealed override void OnStart(IAuthOutput output, long nowMs)
    {
        _identifier = NewIdentifier();
        NewChallenge(_challenge);
        SendRequest(output, ChapPacket.CreateValue(ChapPacket.Challenge, _identifier, _challenge, Context.ServerName), nowMs);
    }

    public sealed override AuthStatus Receive(ReadOnlySpan<byte> packet, IAuthOutput output, long nowMs)
    {
        if (!AuthPacket.TryParse(packet, out byte code, out byte identifier, out ReadOnlySpan<byte> data))
        {
            Discard("bad header or length");
            return Status;
        }

        if (code != ChapPacket.Response || identifier != _identifier)
        {
            // RFC 1994 4.1 / RFC 2759 4: other codes from the peer and Responses with a stale Identifier are
            // silently discarded. MS-CHAPv2 Change-Password (code 7, RFC 2759 7) is not offered: failures say R=0.
            Discard($"code {code} identifier {identifier}, waiting for Response {_identifier}");
            return Status;
        }

        if (Status != AuthStatus.Pending)
        {
            // RFC 1994 4.2: our Success/Failure was lost; repeat it.
            if (_final is not null)
            {
                output.Send(Protocol, _final);
            }

            return Status;
        }

        if (!ChapPacket.TryParseValue(data, out ReadOnlySpan<byte> value, out ReadOnlySpan<byte> name))
        {
            Discard("Value-Size exceeds the packet");
            return Status;
        }

        UserName = AuthText.Decode(name);
        JudgeResponse(value, name, output);
        return Status;
    }

    /// <summary>
    /// Judges the Response Value (and Name) to our Challenge; ends with <see cref="SendResult"/> and then
    /// <see cref="ServerAuthenticatorBase.Succeed"/> or <see cref="ServerAuthenticatorBase.Fail"/>.
    /// </summary>
    protected abstract void JudgeResponse(ReadOnlySpan<byte> value, ReadOnlySpan<byte> name, IAuthOutput output);

    /// <summary>Sends Success or Failure (RFC 1994 4.2) and keeps it to repeat for a retransmitted Response.</summary>
    protected void SendResult(IAuthOutput output, byte code, string message)
    {
        _final = ChapPacket.CreateMessage(code, _identifier, message);
        SendFinal(output, _final);
    }
}

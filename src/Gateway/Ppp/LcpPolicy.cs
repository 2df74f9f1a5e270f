using System.Buffers.Binary;
using Gateway.Ppp.Auth;

namespace Gateway.Ppp;

/// <summary>
/// LCP option policy shared by both ends (RFC 1661 6): MRU, ACCM, Magic-Number; PFC, ACFC, Callback, multilink and
/// unknown options are rejected (sstp-protocol.md 7.2). The Authentication-Protocol option is role specific.
/// </summary>
internal abstract class LcpPolicy : INegotiationPolicy
{
    /// <summary>Smallest peer MRU we acknowledge; below it we Nak with the RFC default.</summary>
    internal const int MinimumMru = 64;

    private readonly int _configuredMru;
    private readonly Random _random;
    private int _requestedMru;
    private bool _requestMru;
    private bool _requestMagic;

    protected LcpPolicy(int mru, Random random)
    {
        _configuredMru = Math.Clamp(mru, MinimumMru, PppFrame.MaxInformationLength);
        _random = random;
        Reset();
    }

    /// <summary>Our magic number (0 when the peer rejected the option).</summary>
    public uint OurMagic { get; private set; }

    /// <summary>The magic number the peer announced and we acknowledged (0 when none).</summary>
    public uint PeerMagic { get; private set; }

    /// <summary>The peer's MRU as acknowledged: the largest packet we may send (RFC 1661 6.1).</summary>
    public int PeerMru { get; private set; } = PppFrame.DefaultMru;

    /// <summary>Our MRU as the peer acknowledged it.</summary>
    public int OurMru { get; private set; } = PppFrame.DefaultMru;

    /// <summary>How many times the peer's Magic-Number equalled ours (RFC 1661 6.4 loop detection).</summary>
    public int LoopSuspicions { get; private set; }

    public virtual void Reset()
    {
        _requestedMru = _configuredMru;
        _requestMru = _configuredMru != PppFrame.DefaultMru;
        _requestMagic = true;
        OurMagic = NewMagic(0);
        PeerMagic = 0;
        PeerMru = PppFrame.DefaultMru;
        OurMru = PppFrame.DefaultMru;
    }

    public void BuildRequest(CpOptionBuffer options)
    {
        if (_requestMru)
        {
            options.AddUInt16(LcpOption.Mru, (ushort)_requestedMru);
        }

        if (_requestMagic)
        {
            options.AddUInt32(LcpOption.MagicNumber, OurMagic);
        }

        AddAuthenticationOption(options);
    }

    public void JudgeRequest(ReadOnlySpan<byte> options, CpResponseBuilder response)
    {
        Span<byte> suggestion = stackalloc byte[4];
        foreach (CpOption option in CpPacket.EnumerateOptions(options))
        {
            switch (option.Type)
            {
                case LcpOption.Mru when option.Value.Length == 2:
                    if (BinaryPrimitives.ReadUInt16BigEndian(option.Value) < MinimumMru)
                    {
                        BinaryPrimitives.WriteUInt16BigEndian(suggestion, PppFrame.DefaultMru);
                        response.Nak(option, suggestion[..2]);
                    }

                    break;
                case LcpOption.Accm when option.Value.Length == 4:
                    // Meaningless without HDLC framing (sstp-protocol.md 7.1); acknowledging costs nothing.
                    break;
                case LcpOption.MagicNumber when option.Value.Length == 4:
                    uint magic = BinaryPrimitives.ReadUInt32BigEndian(option.Value);
                    if (magic == 0 || (_requestMagic && magic == OurMagic))
                    {
                        // RFC 1661 6.4: zero is illegal; equal to ours suggests a looped-back link. Nak with a
                        // different random number and pick a new one for ourselves.
                        if (magic != 0)
                        {
                            LoopSuspicions++;
                            OurMagic = NewMagic(magic);
                        }

                        BinaryPrimitives.WriteUInt32BigEndian(suggestion, NewMagic(OurMagic));
                        response.Nak(option, suggestion);
                    }

                    break;
                case LcpOption.AuthenticationProtocol:
                    JudgeAuthenticationOption(option, response);
                    break;
                default:
                    // PFC, ACFC, Callback, multilink, Quality-Protocol, unknown, or a known option with a wrong length.
                    response.Reject(option);
                    break;
            }
        }
    }

    public void OnRequestAcked(ReadOnlySpan<byte> options)
    {
        PeerMru = PppFrame.DefaultMru;
        PeerMagic = 0;
        AuthMethod? auth = null;
        foreach (CpOption option in CpPacket.EnumerateOptions(options))
        {
            switch (option.Type)
            {
                case LcpOption.Mru:
                    PeerMru = BinaryPrimitives.ReadUInt16BigEndian(option.Value);
                    break;
                case LcpOption.MagicNumber:
                    PeerMagic = BinaryPrimitives.ReadUInt32BigEndian(option.Value);
                    break;
                case LcpOption.AuthenticationProtocol when AuthProtocolOption.TryDecode(option.Value, out AuthMethod m):
                    auth = m;
                    break;
            }
        }

        OnPeerAuthenticationAcked(auth);
    }

    public void OnAckReceived(ReadOnlySpan<byte> options)
    {
        // The acknowledged request is what counts, even if a loop suspicion changed our magic meanwhile.
        OurMru = PppFrame.DefaultMru;
        OurMagic = 0;
        foreach (CpOption option in CpPacket.EnumerateOptions(options))
        {
            switch (option.Type)
            {
                case LcpOption.Mru when option.Value.Length == 2:
                    OurMru = BinaryPrimitives.ReadUInt16BigEndian(option.Value);
                    break;
                case LcpOption.MagicNumber when option.Value.Length == 4:
                    OurMagic = BinaryPrimitives.ReadUInt32BigEndian(option.Value);
                    break;
            }
        }

        OnOwnRequestAcked();
    }

    public NegotiationReaction OnNakReceived(ReadOnlySpan<byte> options)
    {
        foreach (CpOption option in CpPacket.EnumerateOptions(options))
        {
            switch (option.Type)
            {
                case LcpOption.Mru when option.Value.Length == 2:
                    int mru = BinaryPrimitives.ReadUInt16BigEndian(option.Value);
                    if (mru is >= MinimumMru and <= PppFrame.MaxInformationLength)
                    {
                        _requestedMru = mru;
                        _requestMru = mru != PppFrame.DefaultMru;
                    }
                    else
                    {
                        _requestMru = false;
                    }

                    break;
                case LcpOption.MagicNumber when option.Value.Length == 4:
                    uint suggested = BinaryPrimitives.ReadUInt32BigEndian(option.Value);
                    if (suggested == OurMagic)
                    {
                        LoopSuspicions++;
                    }

                    OurMagic = NewMagic(suggested);
                    break;
                case LcpOption.AuthenticationProtocol:
                    if (OnAuthenticationNak(option.Value) == NegotiationReaction.Fail)
                    {
                        return NegotiationReaction.Fail;
                    }

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
                case LcpOption.Mru:
                    _requestMru = false;
                    break;
                case LcpOption.MagicNumber:
                    _requestMagic = false;
                    break;
                case LcpOption.AuthenticationProtocol:
                    if (OnAuthenticationRejected() == NegotiationReaction.Fail)
                    {
                        return NegotiationReaction.Fail;
                    }

                    break;
            }
        }

        return NegotiationReaction.Continue;
    }

    protected abstract void AddAuthenticationOption(CpOptionBuffer options);

    protected abstract void JudgeAuthenticationOption(in CpOption option, CpResponseBuilder response);

    protected abstract void OnPeerAuthenticationAcked(AuthMethod? method);

    protected abstract void OnOwnRequestAcked();

    protected abstract NegotiationReaction OnAuthenticationNak(ReadOnlySpan<byte> value);

    protected abstract NegotiationReaction OnAuthenticationRejected();

    private uint NewMagic(uint avoid)
    {
        uint magic;
        do
        {
            magic = (uint)_random.NextInt64(1, 1L << 32);
        }
        while (magic == avoid);
        return magic;
    }
}

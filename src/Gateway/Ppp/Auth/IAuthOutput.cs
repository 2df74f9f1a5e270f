namespace Gateway.Ppp.Auth;

/// <summary>Where an authenticator sends its packets. The PPP engine adds <c>FF 03</c> and the protocol field.</summary>
public interface IAuthOutput
{
    /// <summary>Sends one packet of <paramref name="protocol"/> (0xC023 PAP, 0xC223 CHAP, 0xC227 EAP); <paramref name="packet"/> starts at the Code byte.</summary>
    void Send(ushort protocol, ReadOnlySpan<byte> packet);
}

namespace Gateway.Ppp.Auth;

/// <summary>Server-side PPP authentication settings (configuration section <see cref="SectionName"/>).</summary>
public sealed class PppAuthOptions
{
    public const string SectionName = "Ppp:Auth";

    /// <summary>Name the server puts in CHAP/MS-CHAPv2 Challenges (RFC 1994 4.1 Name field). At most 200 UTF-8 bytes are sent.</summary>
    public string ServerName { get; set; } = "sstp-gateway";

    /// <summary>Restart timer for Challenge/EAP Request retransmission (RFC 1994 4.1, RFC 1661 4.6 default 3 s).</summary>
    public int RestartTimerMs { get; set; } = 3000;

    /// <summary>Transmissions of one Challenge/EAP Request before giving up (RFC 1661 4.6 Max-Configure default 10).</summary>
    public int MaxTransmits { get; set; } = 10;

    /// <summary>
    /// Overall limit for one authentication exchange, also the PAP wait for the Authenticate-Request.
    /// Well below the 60 s SSTP CALL_CONNECTED limit (reference 7.3).
    /// </summary>
    public int TimeoutMs { get; set; } = 30000;
}

namespace Gateway.Edge;

/// <summary>Result of <see cref="TlsClientHelloParser.OffersTls13"/>.</summary>
public enum TlsClientHelloStatus
{
    /// <summary>The bytes so far are the start of a handshake record that is not complete yet; read more.</summary>
    Incomplete,

    /// <summary>The first record was read; whether it offers TLS 1.3 is known.</summary>
    Done,

    /// <summary>Not a TLS handshake record holding a ClientHello, or a malformed one (TLS itself will refuse it).</summary>
    NotClientHello,
}

namespace Gateway.Edge;

/// <summary>Outcome of sniffing the first request head after TLS.</summary>
public enum SstpRequestHeadStatus
{
    /// <summary>Could still be an SSTP_DUPLEX_POST; read more.</summary>
    NeedMoreData,

    /// <summary>Not an SSTP_DUPLEX_POST: hand every byte to the HTTP pipeline.</summary>
    NotSstp,

    /// <summary>SSTP_DUPLEX_POST on the SSTP URI with HTTP/1.0 or 1.1: take the connection over.</summary>
    Accept,

    /// <summary>SSTP_DUPLEX_POST with a malformed request line or header: 400.</summary>
    BadRequest,

    /// <summary>SSTP_DUPLEX_POST on another URI: 404.</summary>
    NotFound,

    /// <summary>SSTP_DUPLEX_POST whose head exceeds the cap: 431.</summary>
    HeadTooLarge,
}

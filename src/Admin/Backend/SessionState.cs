using System.Text.Json.Serialization;

namespace Admin.Backend;

/// <summary>Life-cycle stage of an SSTP session as seen by the admin API (serialized as its name).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SessionState>))]
public enum SessionState
{
    /// <summary>SSTP call connect and PPP LCP in progress.</summary>
    Negotiating,

    /// <summary>PPP authentication (PAP, CHAP, MS-CHAPv2, EAP) in progress.</summary>
    Authenticating,

    /// <summary>Authenticated, crypto binding done and network layer (IPCP) open: packets flow.</summary>
    Established,

    /// <summary>CALL_DISCONNECT sent or received, tearing down.</summary>
    Disconnecting,
}

namespace Gateway.Edge;

/// <summary>Why the edge refused a connection or request; used as the <c>reason</c> metric tag and in logs.</summary>
public enum EdgeRejectReason
{
    BadRequest,
    NotFound,
    HeadTooLarge,
    HeadTimeout,
    Draining,
    ProxyUntrusted,
    ProxyInvalid,
    ProxyTooLarge,
    ProxyTimeout,
}

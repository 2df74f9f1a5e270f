namespace Gateway.Edge;

public enum EdgeListenerKind
{
    /// <summary>The SSTP/HTTPS service port (443): SSTP, the probe path and the fallback only.</summary>
    Service,

    /// <summary>The management port: health, readiness, admin API, metrics.</summary>
    Management,

    /// <summary>Plain-HTTP probe listeners (<c>Edge:Management:ProbeListen</c>): /healthz and /readyz only.</summary>
    Probe,
}

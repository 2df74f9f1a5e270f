namespace Gateway.Edge;

/// <summary>Configuration section <c>Edge:Fallback</c>: where non-SSTP HTTP requests on the service port go.</summary>
public sealed class EdgeFallbackOptions
{
    /// <summary>Destination prefix for YARP, e.g. <c>http://127.0.0.1:8080/</c>. Empty: answer 404.</summary>
    public string? Destination { get; set; }
}

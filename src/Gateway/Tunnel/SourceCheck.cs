namespace Gateway.Tunnel;

/// <summary>Outcome of <see cref="SourceValidator.Check"/>.</summary>
public enum SourceCheck
{
    /// <summary>Well-formed, and the source is the session's own address.</summary>
    Ok,
    /// <summary>Well-formed, but the source is not the session's address (or the session has no address of that family).</summary>
    Spoofed,
    /// <summary>The IP header failed validation.</summary>
    Malformed,
}

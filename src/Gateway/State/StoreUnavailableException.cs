namespace Gateway.State;

/// <summary>
/// The session store cannot be reached (connection down, timeout, server loading or read-only). The session layer refuses
/// new sessions on it; established sessions keep running. The multiplexer reconnects in the background.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException()
        : base("The session store is unavailable.")
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The store operation that failed (e.g. <c>lease.allocate</c>), if known.</summary>
    public string? Operation { get; init; }
}

namespace Admin.Backend;

/// <summary>
/// May be thrown by a backend when the session store cannot be reached in a code path where returning
/// <see cref="AdminStatus.Unavailable"/> is impractical; the endpoints answer 503 with <see cref="Exception.Message"/> as detail.
/// </summary>
public sealed class AdminUnavailableException : Exception
{
    public AdminUnavailableException(string message)
        : base(message)
    {
    }

    public AdminUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

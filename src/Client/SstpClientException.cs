namespace Client;

/// <summary>The SSTP call could not be set up or ended abnormally; the message says why.</summary>
public sealed class SstpClientException : Exception
{
    public SstpClientException(string message, int httpStatus = 0) : base(message) => HttpStatus = httpStatus;

    public SstpClientException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>The HTTP status the server answered the duplex POST with, when it was not 200.</summary>
    public int HttpStatus { get; }
}

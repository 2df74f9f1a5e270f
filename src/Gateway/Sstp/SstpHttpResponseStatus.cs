namespace Gateway.Sstp;

/// <summary>Outcome of <see cref="SstpHttpClientHandshake.TryParseResponse"/>.</summary>
public enum SstpHttpResponseStatus
{
    /// <summary>The response head is not complete yet; nothing consumed.</summary>
    NeedMoreData,
    /// <summary>200 with an acceptable Content-Length: SSTP packets follow.</summary>
    Accepted,
    /// <summary>A well-formed response with another status code (see the status code out parameter).</summary>
    Rejected,
    /// <summary>Not an HTTP/1.x response, Content-Length other than 2^64-1, or the head exceeds the size cap.</summary>
    Invalid,
}

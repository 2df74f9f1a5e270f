namespace Admin.Backend;

/// <summary>
/// Filters and paging for listing sessions. Null filters match everything; non-null filters combine with AND.
/// <see cref="User"/> compares case-insensitively, <see cref="InnerAddress"/> exactly (canonical IPv4 text).
/// The API has validated <see cref="Limit"/> (1-1000) and <see cref="Offset"/> (&gt;= 0).
/// </summary>
public sealed record SessionQuery(
    string? User,
    string? NodeId,
    SessionState? State,
    string? InnerAddress,
    int Limit,
    int Offset);

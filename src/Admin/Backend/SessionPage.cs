namespace Admin.Backend;

/// <summary>A page of sessions in a stable order (by start time, then id) with the total number matching the filters.</summary>
public sealed record SessionPage(IReadOnlyList<SessionInfo> Items, int Total, int Limit, int Offset);

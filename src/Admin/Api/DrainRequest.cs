namespace Admin.Api;

/// <summary>Body of <c>POST /api/v1/nodes/{id}/drain</c>: exactly one of the two deadlines.</summary>
/// <param name="DeadlineSeconds">Seconds from now until remaining sessions are disconnected (0-86400).</param>
/// <param name="Deadline">Absolute deadline (ISO 8601), not in the past and at most 86400 s ahead.</param>
public sealed record DrainRequest(int? DeadlineSeconds = null, DateTimeOffset? Deadline = null);

namespace Admin.Backend;

/// <summary>Outcome of an admin backend operation; the endpoints map each value to one HTTP status.</summary>
public enum AdminStatus
{
    /// <summary>Done (200/201/202/204).</summary>
    Ok,

    /// <summary>The session, node or user does not exist (404).</summary>
    NotFound,

    /// <summary>The operation conflicts with the current state, e.g. the user already exists (409).</summary>
    Conflict,

    /// <summary>The shared session store (Redis) or the owning node cannot be reached (503).</summary>
    Unavailable,
}

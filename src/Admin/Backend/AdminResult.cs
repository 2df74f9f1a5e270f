namespace Admin.Backend;

/// <summary>
/// Result of an admin operation that returns no value. Failures carry a human-readable <see cref="Detail"/> that is
/// sent to the operator in the problem details body, so it must not contain secrets.
/// A failed <see cref="AdminResult"/> converts implicitly to any <see cref="AdminResult{T}"/>.
/// </summary>
public readonly record struct AdminResult(AdminStatus Status, string? Detail = null)
{
    public bool IsOk => Status == AdminStatus.Ok;

    public static AdminResult Ok() => new(AdminStatus.Ok);

    public static AdminResult NotFound(string detail) => new(AdminStatus.NotFound, detail);

    public static AdminResult Conflict(string detail) => new(AdminStatus.Conflict, detail);

    public static AdminResult Unavailable(string detail) => new(AdminStatus.Unavailable, detail);
}

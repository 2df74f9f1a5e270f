namespace Admin.Backend;

/// <summary>Result of an admin operation that returns a <typeparamref name="T"/> when <see cref="Status"/> is <see cref="AdminStatus.Ok"/>.</summary>
public readonly record struct AdminResult<T>(AdminStatus Status, T? Value, string? Detail = null)
{
    public bool IsOk => Status == AdminStatus.Ok;

    public static AdminResult<T> Ok(T value) => new(AdminStatus.Ok, value);

    public static AdminResult<T> NotFound(string detail) => new(AdminStatus.NotFound, default, detail);

    public static AdminResult<T> Conflict(string detail) => new(AdminStatus.Conflict, default, detail);

    public static AdminResult<T> Unavailable(string detail) => new(AdminStatus.Unavailable, default, detail);

    /// <summary>Lets a backend return <c>AdminResult.NotFound("...")</c> where an <see cref="AdminResult{T}"/> is expected.</summary>
    public static implicit operator AdminResult<T>(AdminResult failure)
    {
        if (failure.IsOk)
        {
            throw new InvalidOperationException("Only a failed AdminResult converts to AdminResult<T>; use AdminResult<T>.Ok(value).");
        }

        return new AdminResult<T>(failure.Status, default, failure.Detail);
    }
}

namespace Admin.Backend;

/// <summary>
/// Local user management. The API has validated names and passwords; the backend stores the NT hash
/// (MD4 of the UTF-16LE password, RFC 2759 8.3) and keeps the clear text only for CHAP-MD5 users.
/// Names compare case-insensitively.
/// </summary>
public interface IUserAdmin
{
    Task<AdminResult<IReadOnlyList<LocalUserInfo>>> ListUsersAsync(CancellationToken cancellationToken);

    /// <summary>Adds a user; <see cref="AdminStatus.Conflict"/> when the name exists.</summary>
    Task<AdminResult<LocalUserInfo>> AddUserAsync(string name, string password, bool chapMd5, CancellationToken cancellationToken);

    Task<AdminResult> RemoveUserAsync(string name, CancellationToken cancellationToken);

    Task<AdminResult> SetPasswordAsync(string name, string password, CancellationToken cancellationToken);
}

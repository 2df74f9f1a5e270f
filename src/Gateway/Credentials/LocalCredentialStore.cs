using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Gateway.Credentials;

/// <summary>
/// In-memory <see cref="ICredentialStore"/> built from configuration and/or a users file. Lookups are lock-free
/// and case-insensitive; changes are serialized and announced through <see cref="Changed"/> so the host can
/// persist them (<see cref="UsersFile.Save"/>). Only the NT hash is stored unless a CHAP-MD5 clear-text password
/// is explicitly requested.
/// </summary>
public sealed class LocalCredentialStore : ICredentialStore
{
    /// <summary>Longest accepted user name (the PAP Peer-ID and CHAP Name must fit the packet anyway).</summary>
    public const int MaxUserNameLength = 200;

    private readonly ConcurrentDictionary<string, UserCredential> _users = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _writeLock = new();

    /// <summary>An empty store.</summary>
    public LocalCredentialStore()
    {
    }

    /// <summary>
    /// A store holding <paramref name="users"/> (later entries win on equal names). The parameter type is not one
    /// dependency injection resolves, so a container always picks the options constructor.
    /// </summary>
    public LocalCredentialStore(IReadOnlyCollection<UserCredential> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        foreach (UserCredential user in users)
        {
            UserCredential copy = Validate(user);
            _users[copy.UserName] = copy;
        }
    }

    /// <summary>
    /// From <see cref="LocalCredentialStoreOptions"/>: configured users, then the users file (if it exists) on top.
    /// Invalid entries throw <see cref="InvalidOperationException"/> naming the user and the problem.
    /// </summary>
    public LocalCredentialStore(IOptions<LocalCredentialStoreOptions> options)
        : this(FromOptions(options.Value))
    {
    }

    /// <summary>Raised after each change, outside the write lock.</summary>
    public event EventHandler<CredentialStoreChangedEventArgs>? Changed;

    public int Count => _users.Count;

    public UserCredential? Find(string userName) =>
        userName is not null && _users.TryGetValue(userName, out UserCredential? user) ? user : null;

    /// <summary>All users, sorted by name (for listing and saving).</summary>
    public IReadOnlyList<UserCredential> Snapshot()
    {
        var list = new List<UserCredential>(_users.Values);
        list.Sort(static (a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.UserName, b.UserName));
        return list;
    }

    /// <summary>
    /// Adds a user from a clear-text password; false if the name exists. The password itself is kept only when
    /// <paramref name="storeClearTextForChapMd5"/> is true (CHAP-MD5, RFC 1994, cannot work from the NT hash).
    /// </summary>
    public bool Add(string userName, string password, bool storeClearTextForChapMd5 = false, bool disabled = false)
    {
        ArgumentNullException.ThrowIfNull(password);
        var user = Validate(new UserCredential(userName, NtHash.FromPassword(password), storeClearTextForChapMd5 ? password : null, disabled));
        bool added;
        lock (_writeLock)
        {
            added = _users.TryAdd(user.UserName, user);
        }

        if (added)
        {
            Raise(CredentialChangeKind.Added, user.UserName);
        }

        return added;
    }

    /// <summary>Adds or replaces a user as given (for example with a pre-computed NT hash from the admin API).</summary>
    public void Set(UserCredential user)
    {
        UserCredential copy = Validate(user);
        bool existed;
        lock (_writeLock)
        {
            existed = _users.ContainsKey(copy.UserName);
            _users[copy.UserName] = copy;
        }

        Raise(existed ? CredentialChangeKind.Updated : CredentialChangeKind.Added, copy.UserName);
    }

    /// <summary>Sets a new password (NT hash; clear text only if requested, otherwise any stored one is dropped). False if unknown.</summary>
    public bool SetPassword(string userName, string password, bool storeClearTextForChapMd5 = false)
    {
        ArgumentNullException.ThrowIfNull(password);
        byte[] hash = NtHash.FromPassword(password);
        return Update(userName, user => user with { NtHash = hash, Password = storeClearTextForChapMd5 ? password : null });
    }

    /// <summary>Enables or disables a user (disabled users fail with MS-CHAPv2 error 647). False if unknown.</summary>
    public bool SetDisabled(string userName, bool disabled) => Update(userName, user => user with { Disabled = disabled });

    /// <summary>Removes a user; false if unknown.</summary>
    public bool Remove(string userName)
    {
        UserCredential? removed = null;
        lock (_writeLock)
        {
            if (userName is not null)
            {
                _users.TryRemove(userName, out removed);
            }
        }

        if (removed is null)
        {
            return false;
        }

        Raise(CredentialChangeKind.Removed, removed.UserName);
        return true;
    }

    /// <summary>Replaces every user at once (for a reload of the users file).</summary>
    public void ReplaceAll(IEnumerable<UserCredential> users)
    {
        var copies = new List<UserCredential>();
        foreach (UserCredential user in users)
        {
            copies.Add(Validate(user));
        }

        lock (_writeLock)
        {
            _users.Clear();
            foreach (UserCredential user in copies)
            {
                _users[user.UserName] = user;
            }
        }

        Raise(CredentialChangeKind.Reloaded, null);
    }

    /// <summary>Checks a user name for the store: not empty, at most 200 characters, no backslash, no control characters.</summary>
    public static bool IsValidUserName(string? userName)
    {
        if (string.IsNullOrEmpty(userName) || userName.Length > MaxUserNameLength)
        {
            return false;
        }

        foreach (char c in userName)
        {
            if (c == '\\' || char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }

    private bool Update(string userName, Func<UserCredential, UserCredential> change)
    {
        string storedName;
        lock (_writeLock)
        {
            if (userName is null || !_users.TryGetValue(userName, out UserCredential? user))
            {
                return false;
            }

            UserCredential updated = Validate(change(user));
            _users[updated.UserName] = updated;
            storedName = updated.UserName;
        }

        Raise(CredentialChangeKind.Updated, storedName);
        return true;
    }

    private void Raise(CredentialChangeKind kind, string? userName) =>
        Changed?.Invoke(this, new CredentialStoreChangedEventArgs(kind, userName));

    /// <summary>Validates and copies (the hash array is mutable; the store keeps its own).</summary>
    private static UserCredential Validate(UserCredential user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!IsValidUserName(user.UserName))
        {
            throw new ArgumentException($"Invalid user name '{user.UserName}': 1-{MaxUserNameLength} characters, no backslash or control characters.");
        }

        if (user.NtHash is null || user.NtHash.Length != NtHash.Length)
        {
            throw new ArgumentException($"User '{user.UserName}': the NT hash must be {NtHash.Length} bytes.");
        }

        return user with { NtHash = (byte[])user.NtHash.Clone() };
    }

    private static List<UserCredential> FromOptions(LocalCredentialStoreOptions options)
    {
        var users = new Dictionary<string, UserCredential>(StringComparer.OrdinalIgnoreCase);
        foreach (LocalUserOptions entry in options.Users)
        {
            UserCredential user = ToCredential(entry, $"{LocalCredentialStoreOptions.SectionName}:Users");
            users[user.UserName] = user;
        }

        if (!string.IsNullOrEmpty(options.UsersFile) && File.Exists(options.UsersFile))
        {
            foreach (UserCredential user in UsersFile.Load(options.UsersFile))
            {
                users[user.UserName] = user;
            }
        }

        return [.. users.Values];
    }

    /// <summary>One configured user: the NT hash from hex, or from the password when no hash is given.</summary>
    internal static UserCredential ToCredential(LocalUserOptions entry, string where)
    {
        if (!IsValidUserName(entry.Name))
        {
            throw new InvalidOperationException($"{where}: invalid user name '{entry.Name}' (1-{MaxUserNameLength} characters, no backslash or control characters).");
        }

        byte[] hash;
        if (!string.IsNullOrEmpty(entry.NtHash))
        {
            if (!NtHash.TryParseHex(entry.NtHash, out hash))
            {
                throw new InvalidOperationException($"{where}: user '{entry.Name}': NtHash must be {NtHash.Length * 2} hex digits.");
            }

            if (entry.Password is not null && !NtHash.FromPassword(entry.Password).AsSpan().SequenceEqual(hash))
            {
                throw new InvalidOperationException($"{where}: user '{entry.Name}': NtHash does not match Password.");
            }
        }
        else if (entry.Password is not null)
        {
            hash = NtHash.FromPassword(entry.Password);
        }
        else
        {
            throw new InvalidOperationException($"{where}: user '{entry.Name}' has neither NtHash nor Password.");
        }

        return new UserCredential(entry.Name, hash, entry.Password, entry.Disabled);
    }
}

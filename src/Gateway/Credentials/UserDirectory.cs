using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Credentials;

/// <summary>
/// Owns the gateway's local users: configured users plus the users file (default <c>users.json</c> in the data
/// directory). Changes (admin API) are saved to the file atomically; edits to the file (the <c>user</c> command while
/// the gateway runs) are picked up. On first start with no user at all, one user with a generated password is
/// created; the password is printed once and only its NT hash is stored.
/// </summary>
public sealed partial class UserDirectory : IHostedService, IDisposable
{
    /// <summary>The user created on first start.</summary>
    public const string GeneratedUserName = "vpnuser";

    private readonly LocalCredentialStore _store;
    private readonly LocalCredentialStoreOptions _options;
    private readonly ILogger<UserDirectory> _logger;
    private readonly Lock _fileLock = new();
    private FileSystemWatcher? _watcher;
    private readonly TextWriter _console;
    private bool _saving;

    public UserDirectory(LocalCredentialStore store, IOptions<LocalCredentialStoreOptions> options, ILogger<UserDirectory> logger)
        : this(store, options, logger, Console.Out)
    {
    }

    /// <param name="console">Where the first-start password is printed (the process's console; tests capture it).</param>
    public UserDirectory(LocalCredentialStore store, IOptions<LocalCredentialStoreOptions> options, ILogger<UserDirectory> logger,
        TextWriter console)
    {
        _console = console;
        _store = store;
        _options = options.Value;
        _logger = logger;
        UsersFilePath = _options.UsersFile ?? throw new InvalidOperationException("Credentials:UsersFile is not set");
    }

    public string UsersFilePath { get; }

    /// <summary>Default users file: <c>{Gateway:DataDirectory}/users.json</c>.</summary>
    public static string DefaultUsersFile(IConfiguration configuration) =>
        Path.Combine(DataDirectory(configuration), "users.json");

    /// <summary>Where the gateway keeps its generated certificate and users (Gateway:DataDirectory).</summary>
    public static string DataDirectory(IConfiguration configuration) =>
        configuration["Gateway:DataDirectory"] is { Length: > 0 } dir ? dir : "/var/lib/sstp-gateway";

    /// <summary>A password of 20 characters from an alphabet without look-alikes (about 115 bits).</summary>
    public static string GeneratePassword() =>
        RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 20);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_store.Count == 0)
        {
            string password = GeneratePassword();
            _store.Add(GeneratedUserName, password);
            Save();
            // Printed once, on the console only (never logged): only the NT hash is kept.
            _console.WriteLine($"""

                ===================================================================
                 First start: created VPN user '{GeneratedUserName}' with password

                     {password}

                 This password is shown only now; the gateway stores its NT hash in
                 {UsersFilePath}.
                 Add users:  sstp-gateway user add NAME   (or the admin API)
                ===================================================================

                """);
        }

        _store.Changed += OnStoreChanged;
        string? dir = Path.GetDirectoryName(Path.GetFullPath(UsersFilePath));
        if (dir is not null && Directory.Exists(dir))
        {
            _watcher = new FileSystemWatcher(dir, Path.GetFileName(UsersFilePath))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size,
            };
            _watcher.Changed += (_, _) => Reload();
            _watcher.Created += (_, _) => Reload();
            _watcher.Renamed += (_, _) => Reload();
            _watcher.EnableRaisingEvents = true;
        }

        UsersLoaded(_logger, _store.Count, UsersFilePath);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _store.Changed -= OnStoreChanged;
        _watcher?.Dispose();
        _watcher = null;
        return Task.CompletedTask;
    }

    public void Dispose() => _watcher?.Dispose();

    private void OnStoreChanged(object? sender, CredentialStoreChangedEventArgs e)
    {
        if (e.Kind != CredentialChangeKind.Reloaded)
        {
            Save();
        }
    }

    private void Save()
    {
        lock (_fileLock)
        {
            _saving = true;
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(UsersFilePath))!);
                UsersFile.Save(UsersFilePath, _store.Snapshot());
            }
            finally
            {
                _saving = false;
            }
        }
    }

    /// <summary>The file changed on disk: configured users, then the file's users on top.</summary>
    private void Reload()
    {
        lock (_fileLock)
        {
            if (_saving)
            {
                return;
            }

            try
            {
                if (!File.Exists(UsersFilePath))
                {
                    return;
                }

                var users = new Dictionary<string, UserCredential>(StringComparer.OrdinalIgnoreCase);
                foreach (UserCredential u in new LocalCredentialStore(Options.Create(new LocalCredentialStoreOptions
                         { Users = _options.Users })).Snapshot())
                {
                    users[u.UserName] = u;
                }

                foreach (UserCredential u in UsersFile.Load(UsersFilePath))
                {
                    users[u.UserName] = u;
                }

                _store.ReplaceAll(users.Values);
                UsersLoaded(_logger, _store.Count, UsersFilePath);
            }
            catch (Exception ex) when (ex is IOException or UsersFileFormatException or InvalidOperationException)
            {
                ReloadFailed(_logger, UsersFilePath, ex.Message);
            }
        }
    }

    [LoggerMessage(500, LogLevel.Information, "{Count} VPN users loaded (users file {Path})")]
    private static partial void UsersLoaded(ILogger logger, int count, string path);

    [LoggerMessage(501, LogLevel.Warning, "Users file {Path} not reloaded, keeping the previous users: {Error}")]
    private static partial void ReloadFailed(ILogger logger, string path, string error);
}

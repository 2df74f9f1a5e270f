using Gateway.Credentials;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Credentials;

public sealed class UserDirectoryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gwtest-users-").FullName;

    private string UsersFilePath => Path.Combine(_dir, "users.json");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task First_start_creates_one_user_prints_its_password_once_and_stores_only_the_NT_hash()
    {
        var console = new StringWriter();
        string password = await StartAsync(console);
        Assert.Matches("^[A-Za-z0-9]{20}$", password);
        UserCredential user = Assert.Single(UsersFile.Load(UsersFilePath));
        Assert.Equal(UserDirectory.GeneratedUserName, user.UserName);
        Assert.Equal(NtHash.FromPassword(password), user.NtHash);
        Assert.Null(user.Password);
        Assert.DoesNotContain(password, await File.ReadAllTextAsync(UsersFilePath));

        // Second start: the user exists, nothing is generated or printed again.
        var again = new StringWriter();
        var store = new LocalCredentialStore(Options.Create(new LocalCredentialStoreOptions { UsersFile = UsersFilePath }));
        var directory = new UserDirectory(store, Options.Create(new LocalCredentialStoreOptions { UsersFile = UsersFilePath }),
            NullLogger<UserDirectory>.Instance, again);
        await directory.StartAsync(default);
        await directory.StopAsync(default);
        Assert.Equal("", again.ToString());
        Assert.Equal(NtHash.FromPassword(password), store.Find(UserDirectory.GeneratedUserName)!.NtHash);
    }

    [Fact]
    public async Task Changes_through_the_store_are_saved_and_file_edits_are_picked_up()
    {
        var options = Options.Create(new LocalCredentialStoreOptions { UsersFile = UsersFilePath });
        var store = new LocalCredentialStore(options);
        using var directory = new UserDirectory(store, options, NullLogger<UserDirectory>.Instance, new StringWriter());
        await directory.StartAsync(default);
        Assert.True(store.Add("bob", "bob-password-1"));
        Assert.Contains(UsersFile.Load(UsersFilePath), u => u.UserName == "bob" && u.NtHash.SequenceEqual(NtHash.FromPassword("bob-password-1")));

        // The `user` command edits the file while the gateway runs.
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Credentials:UsersFile"] = UsersFilePath,
        }).Build();
        Assert.Equal(0, UserCommand.Run(["add", "carol", "--password", "carol-password"], config, TextWriter.Null, TextWriter.Null));
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (store.Find("carol") is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(NtHash.FromPassword("carol-password"), store.Find("carol")?.NtHash);
        await directory.StopAsync(default);
    }

    [Fact]
    public void The_user_command_adds_changes_lists_and_removes_users()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:DataDirectory"] = _dir,
        }).Build();
        var output = new StringWriter();
        var error = new StringWriter();

        Assert.Equal(0, UserCommand.Run(["add", "dave"], config, output, error));
        string generated = output.ToString().Split("password: ")[1].Trim();
        Assert.Equal(NtHash.FromPassword(generated), UsersFile.Load(UsersFilePath).Single().NtHash);

        Assert.Equal(1, UserCommand.Run(["add", "dave", "--password", "another-one"], config, output, error));
        Assert.Contains("already exists", error.ToString());

        Assert.Equal(0, UserCommand.Run(["passwd", "dave", "--password", "chap-secret", "--chap"], config, output, error));
        UserCredential dave = UsersFile.Load(UsersFilePath).Single();
        Assert.Equal(NtHash.FromPassword("chap-secret"), dave.NtHash);
        Assert.Equal("chap-secret", dave.Password);

        var list = new StringWriter();
        Assert.Equal(0, UserCommand.Run(["list"], config, list, error));
        Assert.Equal("dave  (chap-md5)", list.ToString().Trim());

        Assert.Equal(0, UserCommand.Run(["remove", "dave"], config, output, error));
        Assert.Empty(UsersFile.Load(UsersFilePath));
        Assert.Equal(1, UserCommand.Run(["remove", "dave"], config, output, error));
        Assert.Equal(2, UserCommand.Run(["frobnicate"], config, output, error));
    }

    private async Task<string> StartAsync(StringWriter console)
    {
        var options = Options.Create(new LocalCredentialStoreOptions { UsersFile = UsersFilePath });
        var directory = new UserDirectory(new LocalCredentialStore(options), options, NullLogger<UserDirectory>.Instance, console);
        await directory.StartAsync(default);
        await directory.StopAsync(default);
        string text = console.ToString();
        int at = text.IndexOf("password", StringComparison.Ordinal);
        return text[(at + "password".Length)..].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
    }
}

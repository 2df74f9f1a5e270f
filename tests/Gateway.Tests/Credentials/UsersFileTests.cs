using System.Text;
using Gateway.Credentials;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Credentials;

public sealed class UsersFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "users-file-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void SaveThenLoad_RoundTrips_AndLeavesNoTemporaryFile()
    {
        string path = Path.Combine(_directory, "users.json");
        UserCredential[] users =
        [
            new("alice", NtHash.FromPassword("clientPass")),
            new("bob", NtHash.FromPassword("chap"), "chap", Disabled: true),
        ];

        UsersFile.Save(path, users);
        UsersFile.Save(path, users); // overwrite in place

        IReadOnlyList<UserCredential> loaded = UsersFile.Load(path);
        Assert.Equal(2, loaded.Count);
        Assert.Equal("alice", loaded[0].UserName);
        Assert.Equal(users[0].NtHash, loaded[0].NtHash);
        Assert.Null(loaded[0].Password);
        Assert.False(loaded[0].Disabled);
        Assert.Equal("chap", loaded[1].Password);
        Assert.True(loaded[1].Disabled);
        Assert.Equal(["users.json"], Directory.GetFiles(_directory).Select(Path.GetFileName));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void Save_WritesTheDocumentedFormat()
    {
        string path = Path.Combine(_directory, "users.json");
        UsersFile.Save(path, [new UserCredential("alice", NtHash.FromPassword("clientPass"))]);

        string expected = """
            {
              "version": 1,
              "users": [
                {
                  "name": "alice",
                  "ntHash": "44EBBA8D5312B8D611474411F56989AE",
                  "disabled": false
                }
              ]
            }
            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), File.ReadAllText(path).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Parse_AcceptsHandWrittenFiles()
    {
        byte[] json = Encoding.UTF8.GetBytes("""
            // users
            { "users": [ { "name": "carol", "password": "clientPass" }, ] }
            """);
        UserCredential user = Assert.Single(UsersFile.Parse(json));
        Assert.Equal("44EBBA8D5312B8D611474411F56989AE", NtHash.ToHex(user.NtHash));
        Assert.Equal("clientPass", user.Password);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[]", "top level must be an object")]
    [InlineData("""{"version": 2, "users": []}""", "unsupported version 2")]
    [InlineData("""{"version": 1}""", "\"users\" must be an array")]
    [InlineData("""{"users": [1]}""", "users[0] must be an object")]
    [InlineData("""{"users": [{"name": 5, "ntHash": "44EBBA8D5312B8D611474411F56989AE"}]}""", "\"name\" must be a string")]
    [InlineData("""{"users": [{"name": "a", "ntHash": "44EB"}]}""", "NtHash must be 32 hex digits")]
    [InlineData("""{"users": [{"name": "a", "ntHash": "44EBBA8D5312B8D611474411F56989AE", "disabled": "yes"}]}""", "\"disabled\" must be true or false")]
    [InlineData("""{"users": [{"name": "a", "password": "x"}, {"name": "A", "password": "y"}]}""", "duplicate user name 'A'")]
    public void Parse_RejectsMalformedFiles_WithAClearMessage(string json, string expected)
    {
        var error = Assert.Throws<UsersFileFormatException>(() => UsersFile.Parse(Encoding.UTF8.GetBytes(json), "users.json"));
        Assert.Contains(expected, error.Message);
        Assert.StartsWith("users.json", error.Message);
    }

    [Fact]
    public void Store_LoadsTheUsersFile_OverConfiguredUsers_AndCanPersistChanges()
    {
        string path = Path.Combine(_directory, "users.json");
        UsersFile.Save(path, [new UserCredential("alice", NtHash.FromPassword("fromFile"))]);
        var options = new LocalCredentialStoreOptions
        {
            UsersFile = path,
            Users = [new LocalUserOptions { Name = "alice", Password = "fromConfig" }, new LocalUserOptions { Name = "bob", Password = "b" }],
        };
        var store = new LocalCredentialStore(Options.Create(options));
        Assert.Equal(NtHash.FromPassword("fromFile"), store.Find("alice")!.NtHash);
        Assert.NotNull(store.Find("bob"));

        store.Changed += (_, _) => UsersFile.Save(path, store.Snapshot());
        store.Add("carol", "c");

        Assert.Equal(["alice", "bob", "carol"], UsersFile.Load(path).Select(u => u.UserName));
    }

    [Fact]
    public void Store_WithoutUsersFileOnDisk_StartsFromConfiguration()
    {
        var options = new LocalCredentialStoreOptions { UsersFile = Path.Combine(_directory, "missing.json") };
        Assert.Equal(0, new LocalCredentialStore(Options.Create(options)).Count);
    }
}

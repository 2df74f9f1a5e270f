using Gateway.Credentials;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Credentials;

public sealed class LocalCredentialStoreTests
{
    private const string ClientPassHash = "44EBBA8D5312B8D611474411F56989AE";

    [Fact]
    public void Find_IsCaseInsensitive()
    {
        var store = new LocalCredentialStore([new UserCredential("Alice", NtHash.FromPassword("pw"))]);
        Assert.Equal("Alice", store.Find("alice")!.UserName);
        Assert.Equal("Alice", store.Find("ALICE")!.UserName);
        Assert.Null(store.Find("bob"));
        Assert.Null(store.Find(@"CORP\alice")); // callers strip the domain first
    }

    [Fact]
    public void Add_StoresOnlyTheHash_UnlessChapMd5IsRequested()
    {
        var store = new LocalCredentialStore();
        Assert.True(store.Add("alice", "clientPass"));
        Assert.True(store.Add("bob", "chapSecret", storeClearTextForChapMd5: true));
        Assert.False(store.Add("ALICE", "other"));

        Assert.Equal(ClientPassHash, NtHash.ToHex(store.Find("alice")!.NtHash));
        Assert.Null(store.Find("alice")!.Password);
        Assert.Equal("chapSecret", store.Find("bob")!.Password);
        Assert.Equal(2, store.Count);
    }

    [Fact]
    public void SetPassword_SetDisabled_Remove_RaiseChanged()
    {
        var store = new LocalCredentialStore();
        var events = new List<(CredentialChangeKind, string?)>();
        store.Changed += (_, e) => events.Add((e.Kind, e.UserName));

        store.Add("Alice", "old", storeClearTextForChapMd5: true);
        Assert.True(store.SetPassword("alice", "clientPass"));
        Assert.Equal(ClientPassHash, NtHash.ToHex(store.Find("alice")!.NtHash));
        Assert.Null(store.Find("alice")!.Password); // the old clear text is dropped
        Assert.True(store.SetDisabled("ALICE", true));
        Assert.True(store.Find("alice")!.Disabled);
        Assert.False(store.SetPassword("nobody", "x"));
        Assert.True(store.Remove("alice"));
        Assert.False(store.Remove("alice"));
        Assert.Null(store.Find("alice"));

        Assert.Equal(
            [(CredentialChangeKind.Added, "Alice"), (CredentialChangeKind.Updated, "Alice"), (CredentialChangeKind.Updated, "Alice"), (CredentialChangeKind.Removed, "Alice")],
            events);
    }

    [Fact]
    public void Set_CopiesTheHash_AndRejectsBadInput()
    {
        var store = new LocalCredentialStore();
        byte[] hash = NtHash.FromPassword("pw");
        store.Set(new UserCredential("carol", hash));
        hash[0] ^= 0xFF;
        Assert.Equal(NtHash.FromPassword("pw"), store.Find("carol")!.NtHash);

        Assert.Throws<ArgumentException>(() => store.Set(new UserCredential("dave", new byte[15])));
        Assert.Throws<ArgumentException>(() => store.Set(new UserCredential(@"CORP\dave", new byte[16])));
        Assert.Throws<ArgumentException>(() => store.Set(new UserCredential(string.Empty, new byte[16])));
    }

    [Fact]
    public void FromOptions_HashOrPassword()
    {
        var options = new LocalCredentialStoreOptions
        {
            Users =
            [
                new LocalUserOptions { Name = "alice", NtHash = ClientPassHash.ToLowerInvariant() },
                new LocalUserOptions { Name = "bob", Password = "clientPass", Disabled = true },
            ],
        };
        var store = new LocalCredentialStore(Options.Create(options));

        Assert.Equal(ClientPassHash, NtHash.ToHex(store.Find("alice")!.NtHash));
        Assert.Null(store.Find("alice")!.Password);
        Assert.Equal(ClientPassHash, NtHash.ToHex(store.Find("bob")!.NtHash));
        Assert.Equal("clientPass", store.Find("bob")!.Password);
        Assert.True(store.Find("bob")!.Disabled);
    }

    [Theory]
    [InlineData("alice", "nothex", null, "NtHash must be 32 hex digits")]
    [InlineData("alice", null, null, "neither NtHash nor Password")]
    [InlineData("alice", ClientPassHash, "different", "NtHash does not match Password")]
    [InlineData("", ClientPassHash, null, "invalid user name")]
    public void FromOptions_InvalidEntries_Explain(string name, string? hash, string? password, string expected)
    {
        var options = new LocalCredentialStoreOptions { Users = [new LocalUserOptions { Name = name, NtHash = hash, Password = password }] };
        var error = Assert.Throws<InvalidOperationException>(() => new LocalCredentialStore(Options.Create(options)));
        Assert.Contains(expected, error.Message);
        Assert.StartsWith("Credentials:Users", error.Message);
    }

    [Fact]
    public void ConcurrentChangesAndLookups_AreConsistent()
    {
        var store = new LocalCredentialStore();
        int changes = 0;
        store.Changed += (_, _) => Interlocked.Increment(ref changes);
        byte[] hash = NtHash.FromPassword("pw");

        Parallel.For(0, 400, i =>
        {
            store.Set(new UserCredential($"user{i}", hash));
            Assert.NotNull(store.Find($"USER{i}"));
            if (i % 2 == 0)
            {
                Assert.True(store.Remove($"user{i}"));
            }
        });

        Assert.Equal(200, store.Count);
        Assert.Equal(600, changes);
    }

    [Fact]
    public void ReplaceAll_SwapsEverything()
    {
        var store = new LocalCredentialStore([new UserCredential("old", NtHash.FromPassword("pw"))]);
        CredentialStoreChangedEventArgs? seen = null;
        store.Changed += (_, e) => seen = e;

        store.ReplaceAll([new UserCredential("new", NtHash.FromPassword("pw"))]);

        Assert.Null(store.Find("old"));
        Assert.NotNull(store.Find("new"));
        Assert.Equal(CredentialChangeKind.Reloaded, seen!.Kind);
        Assert.Null(seen.UserName);
    }
}

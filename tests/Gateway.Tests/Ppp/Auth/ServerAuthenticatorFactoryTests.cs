using Gateway.Credentials;
using Gateway.Ppp.Auth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Ppp.Auth;

public sealed class ServerAuthenticatorFactoryTests
{
    [Fact]
    public void ResolvesFromDependencyInjection_WithConfiguredUsersAndOptions()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Ppp:Auth:ServerName"] = "node-1",
                ["Ppp:Auth:RestartTimerMs"] = "2000",
                ["Credentials:Users:0:Name"] = "User",
                ["Credentials:Users:0:NtHash"] = "44EBBA8D5312B8D611474411F56989AE",
            })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.Configure<PppAuthOptions>(configuration.GetSection(PppAuthOptions.SectionName));
        services.Configure<LocalCredentialStoreOptions>(configuration.GetSection(LocalCredentialStoreOptions.SectionName));
        services.AddSingleton<LocalCredentialStore>();
        services.AddSingleton<ICredentialStore>(sp => sp.GetRequiredService<LocalCredentialStore>());
        services.AddSingleton<IServerAuthenticatorFactory, ServerAuthenticatorFactory>();
        using ServiceProvider provider = services.BuildServiceProvider();

        IServerAuthenticator server = provider.GetRequiredService<IServerAuthenticatorFactory>().Create(AuthMethod.MsChapV2);
        IClientAuthenticator client = new ClientAuthenticatorFactory(@"DOM\user", "clientPass").Create(AuthMethod.MsChapV2)!;
        var (serverOut, _) = AuthHarness.Run(server, client);

        Assert.Equal(AuthStatus.Succeeded, server.Status);
        Assert.Equal(AuthStatus.Succeeded, client.Status);
        Assert.EndsWith(Convert.ToHexString("node-1"u8), Convert.ToHexString(serverOut.Sent[0].Packet));
    }

    [Fact]
    public void RejectsNonPositiveTimers()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new ServerAuthenticatorFactory(new LocalCredentialStore(), Options.Create(new PppAuthOptions { MaxTransmits = 0 })));
        Assert.Contains("Ppp:Auth", error.Message);
    }

    [Fact]
    public void UsesTheConfiguredRestartTimer()
    {
        var factory = AuthHarness.ServerFactory(new LocalCredentialStore(), options: new PppAuthOptions { RestartTimerMs = 2000 });
        IServerAuthenticator server = factory.Create(AuthMethod.ChapMd5);
        server.Start(new RecordingAuthOutput(), 100);
        Assert.Equal(2100, server.NextDeadlineMs);
    }
}

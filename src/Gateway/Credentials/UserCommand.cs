using Microsoft.Extensions.Configuration;

namespace Gateway.Credentials;

/// <summary>
/// <c>sstp-gateway user add|passwd|remove|list</c>: edits the users file (a running gateway picks the change up).
/// Passwords are stored as NT hashes only, unless <c>--chap</c> keeps the clear text that CHAP-MD5 needs.
/// </summary>
public static class UserCommand
{
    private const string Usage = """
        usage: sstp-gateway user add NAME [--password PASS] [--chap]   (no --password: one is generated and printed)
               sstp-gateway user passwd NAME [--password PASS] [--chap]
               sstp-gateway user remove NAME
               sstp-gateway user list
        """;

    public static int Run(string[] args, IConfiguration configuration, TextWriter output, TextWriter error)
    {
        string path = configuration["Credentials:UsersFile"] is { Length: > 0 } p ? p : UserDirectory.DefaultUsersFile(configuration);
        if (args.Length == 0)
        {
            error.WriteLine(Usage);
            return 2;
        }

        var store = new LocalCredentialStore(File.Exists(path) ? UsersFile.Load(path) : []);
        string verb = args[0];
        if (verb == "list")
        {
            foreach (UserCredential u in store.Snapshot())
            {
                output.WriteLine($"{u.UserName}{(u.Password is null ? "" : "  (chap-md5)")}{(u.Disabled ? "  (disabled)" : "")}");
            }

            return 0;
        }

        if (args.Length < 2 || verb is not ("add" or "passwd" or "remove"))
        {
            error.WriteLine(Usage);
            return 2;
        }

        string name = args[1];
        string? password = null;
        bool chap = false;
        for (int i = 2; i < args.Length; i++)
        {
            if (args[i] == "--password" && i + 1 < args.Length)
            {
                password = args[++i];
            }
            else if (args[i] == "--chap")
            {
                chap = true;
            }
            else
            {
                error.WriteLine($"unknown option '{args[i]}'\n{Usage}");
                return 2;
            }
        }

        bool generated = password is null && verb != "remove";
        password ??= UserDirectory.GeneratePassword();
        try
        {
            bool ok = verb switch
            {
                "add" => store.Add(name, password, chap),
                "passwd" => store.SetPassword(name, password, chap),
                _ => store.Remove(name),
            };
            if (!ok)
            {
                error.WriteLine(verb == "add" ? $"user '{name}' already exists" : $"no user '{name}'");
                return 1;
            }
        }
        catch (ArgumentException ex)
        {
            error.WriteLine(ex.Message);
            return 2;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        UsersFile.Save(path, store.Snapshot());
        output.WriteLine(verb switch
        {
            "remove" => $"removed user '{name}' from {path}",
            _ => $"{(verb == "add" ? "added" : "updated")} user '{name}' in {path}" + (generated ? $"; password: {password}" : ""),
        });
        return 0;
    }
}

using System.Security.Cryptography;

namespace Gateway.ControlPlane;

/// <summary>
/// When no admin API key is configured, the gateway creates one on first start in <c>{DataDirectory}/admin-api-key</c>
/// (mode 0600) so the admin API is usable without editing configuration; its path is printed, the key is not logged.
/// </summary>
public static class AdminKeyFile
{
    public static string PathFor(IConfiguration configuration) =>
        Path.Combine(Credentials.UserDirectory.DataDirectory(configuration), "admin-api-key");

    /// <summary>Reads the key file, creating it with a fresh 32-byte key when missing. Null when it cannot be written.</summary>
    public static string? Read(IConfiguration configuration)
    {
        string path = PathFor(configuration);
        try
        {
            if (File.Exists(path))
            {
                return File.ReadAllText(path).Trim();
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            string key = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
            using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            {
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                using var writer = new StreamWriter(stream);
                writer.WriteLine(key);
            }

            Console.WriteLine($"Admin API key created in {path} (use: Authorization: Bearer $(cat {path}))");
            return key;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}

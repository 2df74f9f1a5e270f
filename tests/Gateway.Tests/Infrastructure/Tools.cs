namespace Gateway.Tests.Infrastructure;

/// <summary>Installs a Debian package when a tool a test needs is missing (CI machines start without them).</summary>
public static class Tools
{
    private static readonly Lock Gate = new();

    public static void Require(string tool, string package)
    {
        lock (Gate)
        {
            if (Sh.Run("sh", "-c", $"command -v {tool}").ExitCode == 0)
            {
                return;
            }

            if (Sh.Run("apt-get", "install", "-y", "-qq", "--no-install-recommends", package).ExitCode != 0)
            {
                Sh.Run("apt-get", "update", "-qq");
                Sh.Run("apt-get", "install", "-y", "-qq", "--no-install-recommends", package)
                    .EnsureSuccess("apt-get install " + package);
            }
        }
    }
}

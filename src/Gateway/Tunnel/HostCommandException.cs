namespace Gateway.Tunnel;

/// <summary>A host tool (ip, nft, iptables) failed while configuring the tunnel; the message has the command and its stderr.</summary>
public sealed class HostCommandException : Exception
{
    public HostCommandException(string message, int exitCode)
        : base(message)
    {
        ExitCode = exitCode;
    }

    /// <summary>The tool's exit code (-1 when it could not be started or timed out).</summary>
    public int ExitCode { get; }
}

namespace Interop.Tests;

/// <summary>
/// A fact that runs only when <c>INTEROP_TARGET=softether</c>: the VM tests need qemu and a running SoftEther peer
/// (start.sh --mode bridge), and take a core for about 20-40 s each.
/// </summary>
public sealed class SoftEtherFactAttribute : FactAttribute
{
    public SoftEtherFactAttribute()
    {
        if (!string.Equals(Environment.GetEnvironmentVariable("INTEROP_TARGET"), "softether", StringComparison.Ordinal))
        {
            Skip = "set INTEROP_TARGET=softether and start the SoftEther peer (bridge mode) to run the real-client VM tests";
        }
    }
}

namespace Interop.Tests;

/// <summary>How the guest starts the real client (see tests/Interop/README.md).</summary>
public enum ClientMode
{
    /// <summary><c>sstpc ... &lt;pppd options&gt;</c>: sstpc launches pppd and derives the MPPE keys itself.</summary>
    Direct,

    /// <summary><c>pppd pty "sstpc --nolaunchpppd ..." plugin sstp-pppd-plugin.so</c>: pppd hands its keys to sstpc.</summary>
    Plugin,
}

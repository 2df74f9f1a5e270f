namespace Gateway.Sstp;

/// <summary>
/// Options of <see cref="SstpClientSession"/>. The mutation hooks exist for tests that need a client sending a
/// deliberately broken CALL_CONNECTED; production code leaves them null.
/// </summary>
public class SstpClientOptions : SstpOptions
{
    /// <summary>
    /// Applied to the 112-byte CALL_CONNECTED after nonce, cert hash and hash protocol are filled in and before the
    /// Compound MAC is computed (so the MAC is valid over the altered bytes).
    /// </summary>
    public Action<byte[]>? MutateCallConnectedBeforeMac { get; set; }

    /// <summary>Applied to the 112-byte CALL_CONNECTED after the Compound MAC is written.</summary>
    public Action<byte[]>? MutateCallConnectedAfterMac { get; set; }
}

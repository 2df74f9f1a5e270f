namespace Gateway.Sstp;

/// <summary>Status values carried in the Status Info attribute ([MS-SSTP] 2.2.8).</summary>
public enum SstpStatus : uint
{
    NoError = 0x00000000,
    DuplicateAttribute = 0x00000001,
    UnrecognizedAttribute = 0x00000002,
    InvalidAttribValueLength = 0x00000003,
    ValueNotSupported = 0x00000004,
    UnacceptedFrameReceived = 0x00000005,
    RetryCountExceeded = 0x00000006,
    InvalidFrameReceived = 0x00000007,
    NegotiationTimeout = 0x00000008,
    AttribNotSupportedInMsg = 0x00000009,
    RequiredAttributeMissing = 0x0000000A,
    StatusInfoNotSupportedInMsg = 0x0000000B,
}

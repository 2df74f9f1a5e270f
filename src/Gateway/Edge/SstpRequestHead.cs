namespace Gateway.Edge;

/// <summary>An accepted SSTP_DUPLEX_POST head: its length in bytes (up to and including the blank line) and the correlation id.</summary>
public readonly record struct SstpRequestHead(int Length, string? CorrelationId);

namespace Admin.Backend;

/// <summary>Usage of the inner IPv4 address pool shared by the cluster.</summary>
/// <param name="Range">The pool as configured ("10.8.0.0/16" or "10.8.0.10-10.8.3.250").</param>
/// <param name="Size">Assignable addresses.</param>
/// <param name="Used">Leased to live sessions.</param>
/// <param name="Lingering">Released but held back for reuse by the same user for a while.</param>
/// <param name="Free">Available now (Size - Used - Lingering).</param>
public sealed record PoolUsage(string Range, long Size, long Used, long Lingering, long Free);

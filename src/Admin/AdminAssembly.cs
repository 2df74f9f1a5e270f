namespace Admin;

/// <summary>Marker for the admin API assembly (endpoints are mapped by the gateway host on the management listener).</summary>
public static class AdminAssembly;

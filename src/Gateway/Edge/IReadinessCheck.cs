namespace Gateway.Edge;

/// <summary>
/// One input to /readyz and the service-port probe. Register any number as singletons; all must be ready.
/// </summary>
public interface IReadinessCheck
{
    string Name { get; }

    bool IsReady { get; }
}

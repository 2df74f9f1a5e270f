using Microsoft.Extensions.Options;

namespace Gateway.Edge;

/// <summary>
/// Default <see cref="IAdmissionControl"/>: draining starts from <c>Edge:Draining</c>, follows configuration
/// reloads, and can be flipped at run time with <see cref="SetDraining"/> (the drain command uses this).
/// </summary>
public sealed class AdmissionControl : IAdmissionControl, IDisposable
{
    private readonly IDisposable? _subscription;
    private volatile bool _draining;

    public AdmissionControl(IOptionsMonitor<EdgeOptions> options)
    {
        _draining = options.CurrentValue.Draining;
        _subscription = options.OnChange(o => _draining = o.Draining);
    }

    public bool AcceptingSessions => !_draining;

    public bool Draining => _draining;

    public void SetDraining(bool draining) => _draining = draining;

    public void Dispose() => _subscription?.Dispose();
}

using Microsoft.Extensions.Hosting;

namespace Gateway.Edge;

/// <summary>
/// Readiness for /readyz and the service-port probe: the host has started, the edge admits sessions
/// (not draining) and every registered <see cref="IReadinessCheck"/> is ready.
/// </summary>
public sealed class GatewayReadiness
{
    private readonly IAdmissionControl _admission;
    private readonly IEnumerable<IReadinessCheck> _checks;
    private volatile bool _started;

    public GatewayReadiness(IAdmissionControl admission, IEnumerable<IReadinessCheck> checks, IHostApplicationLifetime lifetime)
    {
        _admission = admission;
        _checks = checks;
        lifetime.ApplicationStarted.Register(() => _started = true);
        lifetime.ApplicationStopping.Register(() => _started = false);
    }

    /// <summary>Null when ready, otherwise the first reason it is not (for the /readyz body).</summary>
    public string? NotReadyReason()
    {
        if (!_started)
        {
            return "starting";
        }

        if (!_admission.AcceptingSessions)
        {
            return "draining";
        }

        foreach (IReadinessCheck check in _checks)
        {
            if (!check.IsReady)
            {
                return check.Name;
            }
        }

        return null;
    }
}

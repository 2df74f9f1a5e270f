using Gateway.Edge;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>
/// On SIGTERM, before Kestrel stops, ends every session the clean way (LCP Terminate, CALL_DISCONNECT, TLS close)
/// within <see cref="SessionOptions.ShutdownGraceMs"/>, so clients see a normal disconnect and reconnect elsewhere.
/// </summary>
public sealed class SessionShutdownService(
    SessionRegistry registry, AdmissionControl admission, IOptions<SessionOptions> options, TimeProvider time)
    : IHostedLifecycleService
{
    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        // Readiness false and new calls refused with 503 first, so the balancer stops sending clients here.
        admission.SetDraining(true);
        return registry.DisconnectAllAsync("gateway shutting down", TimeSpan.FromMilliseconds(options.Value.ShutdownGraceMs), time);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using Microsoft.AspNetCore.Http;

namespace Admin.Routing;

/// <summary>
/// Marks an endpoint as served on the management listener only. A request matches when its connection's local port
/// is in <see cref="AdminApiOptions.ManagementPorts"/> (if any are configured) and <see cref="ConnectionFilter"/>
/// (if given) accepts it; with neither configured nothing matches.
/// </summary>
public sealed class ManagementListenerMetadata(Func<HttpContext, bool>? connectionFilter)
{
    public Func<HttpContext, bool>? ConnectionFilter { get; } = connectionFilter;

    public bool Accepts(HttpContext context, AdminApiOptions options)
    {
        List<int> ports = options.ManagementPorts;
        if (ports.Count == 0 && ConnectionFilter is null)
        {
            return false;
        }

        if (ports.Count != 0 && !ports.Contains(context.Connection.LocalPort))
        {
            return false;
        }

        return ConnectionFilter is null || ConnectionFilter(context);
    }
}

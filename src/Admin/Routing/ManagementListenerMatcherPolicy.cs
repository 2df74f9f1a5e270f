using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.Options;

namespace Admin.Routing;

/// <summary>
/// Routing policy that removes endpoints carrying <see cref="ManagementListenerMetadata"/> from the candidates of a
/// request that did not arrive on the management listener. It runs during routing, before authentication, so on the
/// public port (443) the admin API does not exist at all: no 401 that would reveal it, the request falls through to
/// other endpoints or a plain 404. It checks the connection's local port, not the Host header (which
/// <c>RequireHost</c> would trust and a client can forge).
/// </summary>
internal sealed class ManagementListenerMatcherPolicy(IOptionsMonitor<AdminApiOptions> options) : MatcherPolicy, IEndpointSelectorPolicy
{
    // Same slot as the host policy: a listener restriction, decided before HTTP-method specific work matters.
    public override int Order => -100;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints)
    {
        for (int i = 0; i < endpoints.Count; i++)
        {
            if (endpoints[i].Metadata.GetMetadata<ManagementListenerMetadata>() is not null)
            {
                return true;
            }
        }

        return false;
    }

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        AdminApiOptions current = options.CurrentValue;
        for (int i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i))
            {
                continue;
            }

            var metadata = candidates[i].Endpoint.Metadata.GetMetadata<ManagementListenerMetadata>();
            if (metadata is not null && !metadata.Accepts(httpContext, current))
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }
}

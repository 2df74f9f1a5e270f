using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gateway.Edge;

/// <summary>The listeners the edge configured; after start their end points carry the bound ports (port 0 in tests).</summary>
public sealed class EdgeListenerRegistry
{
    private readonly List<(EdgeListenerKind Kind, ListenOptions Listen)> _listeners = [];

    internal void Add(EdgeListenerKind kind, ListenOptions listen)
    {
        lock (_listeners)
        {
            _listeners.Add((kind, listen));
        }
    }

    /// <summary>Bound end points of one kind (valid once the server has started).</summary>
    public IReadOnlyList<IPEndPoint> EndPoints(EdgeListenerKind kind)
    {
        lock (_listeners)
        {
            var result = new List<IPEndPoint>();
            foreach ((EdgeListenerKind k, ListenOptions listen) in _listeners)
            {
                if (k == kind)
                {
                    result.Add(listen.IPEndPoint!);
                }
            }

            return result;
        }
    }
}

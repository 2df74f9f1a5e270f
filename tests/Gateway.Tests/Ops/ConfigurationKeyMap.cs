using System.Collections;
using System.Reflection;
using Admin;
using Gateway.Credentials;
using Gateway.Edge;
using Gateway.Ppp;
using Gateway.Ppp.Auth;
using Gateway.Sessions;
using Gateway.State;
using Gateway.Sstp;
using Gateway.Tunnel;

namespace Gateway.Tests.Ops;

/// <summary>
/// Which configuration keys the gateway reads: the bound options classes (walked by reflection from their section
/// names) plus the few keys read directly from IConfiguration.
/// </summary>
internal static class ConfigurationKeyMap
{
    /// <summary>Section name to options type, as GatewayServiceCollectionExtensions, EdgeHostingExtensions etc. bind them.</summary>
    public static readonly IReadOnlyDictionary<string, Type> Sections = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase)
    {
        [EdgeOptions.SectionName] = typeof(EdgeOptions),
        [TunnelOptions.SectionName] = typeof(TunnelOptions),
        [PppOptions.SectionName] = typeof(PppOptions),
        [PppAuthOptions.SectionName] = typeof(PppAuthOptions),
        [SstpOptions.SectionName] = typeof(SstpOptions),
        [SessionOptions.SectionName] = typeof(SessionOptions),
        [LocalCredentialStoreOptions.SectionName] = typeof(LocalCredentialStoreOptions),
        [StateOptions.SectionName] = typeof(StateOptions),
        [AdminApiOptions.SectionName] = typeof(AdminApiOptions),
    };

    /// <summary>Keys read with configuration["..."] rather than through an options class.</summary>
    public static readonly IReadOnlySet<string> DirectKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Gateway:DataDirectory",     // ServerCertificateStore, UserDirectory
        "Observability:OtlpEndpoint", // ObservabilityExtensions
    };

    /// <summary>Null when <paramref name="key"/> (":"-separated) is a scalar setting the gateway reads; otherwise why not.</summary>
    public static string? Problem(string key)
    {
        if (DirectKeys.Contains(key) || key.StartsWith("Logging:LogLevel:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        string[] parts = key.Split(':');
        // Longest section prefix first ("Ppp:Auth" before "Ppp").
        for (int n = parts.Length - 1; n >= 1; n--)
        {
            if (Sections.TryGetValue(string.Join(':', parts[..n]), out Type? type))
            {
                return Walk(type, parts[n..], key);
            }
        }
        return $"{key}: no options section or known key starts it";
    }

    private static string? Walk(Type type, string[] rest, string key)
    {
        foreach (string segment in rest)
        {
            if (ElementType(type) is { } element)
            {
                if (!int.TryParse(segment, out int index) || index < 0)
                {
                    return $"{key}: '{segment}' must be a list index";
                }
                type = element;
                continue;
            }
            PropertyInfo? property = type.GetProperty(segment, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || property.GetMethod is null)
            {
                return $"{key}: {type.Name} has no property '{segment}'";
            }
            type = property.PropertyType;
        }
        return IsScalar(type) ? null : $"{key}: names a section ({type.Name}), not a value";
    }

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }
        if (type != typeof(string) && type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type))
        {
            return type.GetGenericArguments()[0];
        }
        return null;
    }

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(decimal);
    }
}

using System.Text.Json.Serialization;

namespace Gateway.State;

/// <summary>Source-generated JSON for the values the Redis store keeps as documents (commands).</summary>
[JsonSerializable(typeof(NodeCommand))]
internal sealed partial class StateJsonContext : JsonSerializerContext;

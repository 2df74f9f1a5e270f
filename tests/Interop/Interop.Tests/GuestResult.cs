using System.Globalization;

namespace Interop.Tests;

/// <summary>
/// One <c>RESULT &lt;step&gt; &lt;status&gt; key=value...</c> line from the guest's serial console
/// (<c>RESULT done ms=...</c> has no status).
/// </summary>
public sealed record GuestResult(string Step, string Status, IReadOnlyDictionary<string, string> Fields)
{
    public const string Prefix = "RESULT ";

    public int? Unit => Fields.TryGetValue("unit", out var u) && int.TryParse(u, CultureInfo.InvariantCulture, out var n) ? n : null;

    public bool Ok => Status == "ok";

    public string? this[string key] => Fields.TryGetValue(key, out var v) ? v : null;

    /// <summary>Integer field, or null when it is missing or not a number.</summary>
    public long? Int(string key) => Fields.TryGetValue(key, out var v) && long.TryParse(v, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>Parses one console line; null when the line is not a well-formed RESULT line.</summary>
    public static GuestResult? TryParse(string line)
    {
        var start = line.IndexOf(Prefix, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var tokens = line[(start + Prefix.Length)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0 || tokens[0].Contains('=', StringComparison.Ordinal))
        {
            return null;
        }

        var first = 1;
        var status = "";
        if (tokens.Length > 1 && !tokens[1].Contains('=', StringComparison.Ordinal))
        {
            status = tokens[1];
            first = 2;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = first; i < tokens.Length; i++)
        {
            var eq = tokens[i].IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return null;
            }

            fields[tokens[i][..eq]] = tokens[i][(eq + 1)..];
        }

        return new GuestResult(tokens[0], status, fields);
    }

    public override string ToString() =>
        $"{Step} {Status} {string.Join(' ', Fields.Select(f => $"{f.Key}={f.Value}"))}".TrimEnd();
}

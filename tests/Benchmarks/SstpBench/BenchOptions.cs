using System.Globalization;

namespace SstpBench;

/// <summary>Command line: a mode followed by --key value pairs (and bare --flags).</summary>
internal sealed class BenchOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);

    public BenchOptions(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            throw new ArgumentException("missing mode");
        }
        Mode = args[0];
        for (int i = 1; i < args.Length; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{a}'");
            }
            string key = a[2..];
            int eq = key.IndexOf('=');
            if (eq > 0)
            {
                _values[key[..eq]] = key[(eq + 1)..];
            }
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                _values[key] = args[++i];
            }
            else
            {
                _values[key] = "true";
            }
        }
    }

    public string Mode { get; }

    public string? Get(string key)
    {
        _used.Add(key);
        return _values.TryGetValue(key, out string? v) ? v : null;
    }

    public string Get(string key, string fallback) => Get(key) ?? fallback;

    public int GetInt(string key, int fallback) =>
        Get(key) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double GetDouble(string key, double fallback) =>
        Get(key) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public bool Flag(string key) => Get(key) is { } v && v != "false" && v != "0";

    public int[] GetInts(string key, string fallback) =>
        Get(key, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Keys given on the command line that no mode read (typos).</summary>
    public IEnumerable<string> Unused => _values.Keys.Where(k => !_used.Contains(k));
}

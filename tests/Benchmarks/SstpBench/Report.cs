using System.Globalization;
using System.Text.Json;

namespace SstpBench;

/// <summary>Result rows: printed as an aligned table at the end, and written as JSON with --json FILE.</summary>
internal sealed class Report
{
    private readonly List<Dictionary<string, object?>> _rows = [];
    private readonly Dictionary<string, object?> _meta = new();

    public void Meta(string key, object? value) => _meta[key] = value;

    public Dictionary<string, object?> Row()
    {
        var row = new Dictionary<string, object?>();
        _rows.Add(row);
        return row;
    }

    public void Print(TextWriter w)
    {
        if (_rows.Count == 0)
        {
            w.WriteLine("(no results)");
            return;
        }
        var columns = new List<string>();
        foreach (var r in _rows)
        {
            foreach (string k in r.Keys)
            {
                if (!columns.Contains(k))
                {
                    columns.Add(k);
                }
            }
        }
        var cells = _rows.Select(r => columns.Select(c => Format(r.GetValueOrDefault(c))).ToArray()).ToList();
        int[] widths = columns.Select((c, i) => Math.Max(c.Length, cells.Max(row => row[i].Length))).ToArray();
        w.WriteLine("| " + string.Join(" | ", columns.Select((c, i) => c.PadRight(widths[i]))) + " |");
        w.WriteLine("|" + string.Join("|", widths.Select(x => new string('-', x + 2))) + "|");
        foreach (string[] row in cells)
        {
            w.WriteLine("| " + string.Join(" | ", row.Select((c, i) => c.PadLeft(widths[i]))) + " |");
        }
    }

    public void WriteJson(string path)
    {
        // JSON has no NaN: a figure that does not apply (NaN) is written as null.
        var rows = _rows.Select(r => r.ToDictionary(kv => kv.Key,
            kv => kv.Value is double d && !double.IsFinite(d) ? null : kv.Value)).ToList();
        var doc = new Dictionary<string, object?>(_meta) { ["results"] = rows };
        File.WriteAllText(path, JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
    }

    private static string Format(object? v) => v switch
    {
        null => "",
        double d when double.IsNaN(d) => "-",
        double d when Math.Abs(d) >= 100 => d.ToString("0", CultureInfo.InvariantCulture),
        double d when Math.Abs(d) >= 10 => d.ToString("0.0", CultureInfo.InvariantCulture),
        double d => d.ToString("0.00#", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}

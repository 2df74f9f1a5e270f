using System.Globalization;

namespace SstpBench;

/// <summary>
/// CPU time and resident memory of the server under test, read from /proc: the given PIDs and their child processes
/// (SoftEther runs a watchdog parent and a worker child; the gateway is one process).
/// </summary>
internal sealed class ServerProcess
{
    private static readonly double TicksPerSecond = 100.0; // USER_HZ; sysconf(_SC_CLK_TCK) is 100 on Linux x86-64

    private readonly int[] _roots;

    public ServerProcess(string? pids)
    {
        _roots = string.IsNullOrEmpty(pids)
            ? []
            : pids.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
    }

    public bool Known => _roots.Length > 0;

    /// <summary>utime + stime of all processes, in seconds.</summary>
    public double CpuSeconds()
    {
        double total = 0;
        foreach (int pid in Processes())
        {
            try
            {
                string stat = File.ReadAllText($"/proc/{pid}/stat");
                // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (proc(5)).
                string[] f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                total += (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
            }
            catch (IOException)
            {
            }
        }
        return total;
    }

    /// <summary>VmRSS of all processes, in bytes.</summary>
    public long RssBytes()
    {
        long total = 0;
        foreach (int pid in Processes())
        {
            try
            {
                foreach (string line in File.ReadLines($"/proc/{pid}/status"))
                {
                    if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                    }
                }
            }
            catch (IOException)
            {
            }
        }
        return total;
    }

    private List<int> Processes()
    {
        var all = new List<int>();
        var todo = new Queue<int>(_roots);
        while (todo.Count > 0 && all.Count < 64)
        {
            int pid = todo.Dequeue();
            if (all.Contains(pid) || !Directory.Exists($"/proc/{pid}"))
            {
                continue;
            }
            all.Add(pid);
            try
            {
                foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                {
                    string children = Path.Combine(task, "children");
                    if (File.Exists(children))
                    {
                        foreach (string c in File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                        {
                            todo.Enqueue(int.Parse(c, CultureInfo.InvariantCulture));
                        }
                    }
                }
            }
            catch (IOException)
            {
            }
        }
        return all;
    }
}

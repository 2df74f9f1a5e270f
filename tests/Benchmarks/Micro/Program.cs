using BenchmarkDotNet.Running;

namespace Benchmarks.Micro;

/// <summary>Entry point: BenchmarkDotNet's switcher, so `--filter`, `--job short`, `--inProcess` etc. work as usual.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

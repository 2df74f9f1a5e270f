namespace SstpBench;

/// <summary>Nearest-rank percentiles over recorded samples (milliseconds).</summary>
internal sealed class Percentiles
{
    private readonly List<double> _samples = [];

    public int Count
    {
        get
        {
            lock (_samples)
            {
                return _samples.Count;
            }
        }
    }

    public void Add(double value)
    {
        lock (_samples)
        {
            _samples.Add(value);
        }
    }

    public double At(double p)
    {
        lock (_samples)
        {
            if (_samples.Count == 0)
            {
                return double.NaN;
            }
            _samples.Sort();
            int rank = (int)Math.Ceiling(p / 100.0 * _samples.Count);
            return _samples[Math.Clamp(rank - 1, 0, _samples.Count - 1)];
        }
    }
}

namespace Gateway.Ppp;

/// <summary>Allocation-free <c>foreach</c> over configuration options; stops at the first malformed option.</summary>
public ref struct CpOptionEnumerator
{
    private readonly ReadOnlySpan<byte> _options;
    private int _next;
    private int _start;
    private int _length;

    public CpOptionEnumerator(ReadOnlySpan<byte> options)
    {
        _options = options;
        _next = 0;
        _start = 0;
        _length = 0;
    }

    public readonly CpOption Current => new(_options.Slice(_start, _length));

    public readonly CpOptionEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_options.Length - _next < 2)
        {
            return false;
        }

        int len = _options[_next + 1];
        if (len < 2 || _next + len > _options.Length)
        {
            return false;
        }

        _start = _next;
        _length = len;
        _next += len;
        return true;
    }
}

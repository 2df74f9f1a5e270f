using System.Net;
using FsCheck.Xunit;
using Gateway.State;

namespace Gateway.Tests.State;

public sealed class IpPoolPropertyTests
{
    [Property(MaxTest = 500)]
    public bool Parse_throws_nothing_but_ArgumentException(string? text, string? gateway)
    {
        try
        {
            IpPool pool = IpPool.Parse(text!, gateway);
            return pool.Size is > 0 and <= IpPool.MaxSize;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    [Property(MaxTest = 300)]
    public bool Range_holds_exactly_its_addresses(uint start, ushort length)
    {
        uint first = Math.Min(start, uint.MaxValue - length);
        uint last = first + length;
        IpPool pool = IpPool.Parse($"{IpPool.ToAddress(first)}-{IpPool.ToAddress(last)}");
        return pool.Size == length + 1
            && pool.Contains(IpPool.ToAddress(first))
            && pool.Contains(IpPool.ToAddress(last))
            && (first == 0 || !pool.Contains(IpPool.ToAddress(first - 1)))
            && (last == uint.MaxValue || !pool.Contains(IpPool.ToAddress(last + 1)));
    }

    [Property(MaxTest = 300)]
    public bool Address_conversion_round_trips(uint value) =>
        IpPool.ToUInt32(IpPool.ToAddress(value)) == value
        && IpPool.ToAddress(value).Equals(IPAddress.Parse(IpPool.ToAddress(value).ToString()));
}

using System.Net;
using System.Text;
using Gateway.Ppp;
using Gateway.Ppp.Auth;

namespace Gateway.Tests.Ppp;

/// <summary>Collects every frame an endpoint sends.</summary>
internal sealed class RecordingSink : IPppFrameSink
{
    public List<byte[]> Frames { get; } = [];

    /// <summary>When set, frames are only counted (no allocation), for allocation tests.</summary>
    public bool CountOnly { get; set; }

    public int Counted { get; private set; }

    public void SendFrame(ReadOnlySpan<byte> frame)
    {
        if (CountOnly)
        {
            Counted++;
            return;
        }

        Frames.Add(frame.ToArray());
    }

    public byte[] Single()
    {
        byte[] frame = Assert.Single(Frames);
        Frames.Clear();
        return frame;
    }

    /// <summary>Returns and forgets everything sent so far.</summary>
    public List<byte[]> Take()
    {
        List<byte[]> frames = [.. Frames];
        Frames.Clear();
        return frames;
    }
}

/// <summary>Forwards frames into a queue for the in-memory link.</summary>
internal sealed class QueueSink(Queue<byte[]> queue) : IPppFrameSink
{
    public List<byte[]> Log { get; } = [];

    public void SendFrame(ReadOnlySpan<byte> frame)
    {
        byte[] copy = frame.ToArray();
        Log.Add(copy);
        queue.Enqueue(copy);
    }
}

/// <summary>
/// Test-only authentication exchange over the PAP protocol number (the real PAP/CHAP/EAP are written elsewhere):
/// client sends <c>01 id len user</c>; the server answers <c>02</c> (success) for the accepted user, <c>03</c> otherwise.
/// </summary>
internal sealed class FakeServerAuthenticator(string acceptedUser) : IServerAuthenticator
{
    public static readonly byte[] TestHlak = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    public ushort Protocol => PppProtocol.Pap;

    public int Starts { get; private set; }

    public long NextDeadlineMs => long.MaxValue;

    public AuthStatus Status { get; private set; }

    public string? UserName { get; private set; }

    public ReadOnlySpan<byte> Hlak => Status == AuthStatus.Succeeded ? TestHlak : ReadOnlySpan<byte>.Empty;

    public string? FailureReason { get; private set; }

    public void Start(IAuthOutput output, long nowMs) => Starts++;

    public AuthStatus Receive(ReadOnlySpan<byte> packet, IAuthOutput output, long nowMs)
    {
        if (packet.Length < 4 || packet[0] != 1)
        {
            return Status;
        }

        UserName = Encoding.UTF8.GetString(packet[4..]);
        bool ok = UserName == acceptedUser;
        Status = ok ? AuthStatus.Succeeded : AuthStatus.Failed;
        FailureReason = ok ? null : "unknown user";
        output.Send(PppProtocol.Pap, [(byte)(ok ? 2 : 3), packet[1], 0, 4]);
        return Status;
    }

    public AuthStatus OnTimer(long nowMs, IAuthOutput output) => Status;
}

internal sealed class FakeServerAuthenticatorFactory(string acceptedUser) : IServerAuthenticatorFactory
{
    public List<AuthMethod> Created { get; } = [];

    public FakeServerAuthenticator? Last { get; private set; }

    public IServerAuthenticator Create(AuthMethod method)
    {
        Created.Add(method);
        Last = new FakeServerAuthenticator(acceptedUser);
        return Last;
    }
}

internal sealed class FakeClientAuthenticator(string user) : IClientAuthenticator
{
    public ushort Protocol => PppProtocol.Pap;

    public long NextDeadlineMs => long.MaxValue;

    public AuthStatus Status { get; private set; }

    public ReadOnlySpan<byte> Hlak => Status == AuthStatus.Succeeded ? FakeServerAuthenticator.TestHlak : ReadOnlySpan<byte>.Empty;

    public string? FailureReason { get; private set; }

    public void Start(IAuthOutput output, long nowMs)
    {
        byte[] name = Encoding.UTF8.GetBytes(user);
        byte[] packet = new byte[4 + name.Length];
        packet[0] = 1;
        packet[1] = 7;
        packet[3] = (byte)packet.Length;
        name.CopyTo(packet, 4);
        output.Send(PppProtocol.Pap, packet);
    }

    public AuthStatus Receive(ReadOnlySpan<byte> packet, IAuthOutput output, long nowMs)
    {
        if (packet.Length >= 1 && packet[0] == 2)
        {
            Status = AuthStatus.Succeeded;
        }
        else if (packet.Length >= 1 && packet[0] == 3)
        {
            Status = AuthStatus.Failed;
            FailureReason = "rejected by server";
        }

        return Status;
    }

    public AuthStatus OnTimer(long nowMs, IAuthOutput output) => Status;
}

internal sealed class FakeClientAuthenticatorFactory(string user, params AuthMethod[] methods) : IClientAuthenticatorFactory
{
    public IReadOnlyList<AuthMethod> Methods => methods;

    public IClientAuthenticator Create(AuthMethod method) => new FakeClientAuthenticator(user);
}

internal sealed class RecordingServerEvents : IPppServerEvents
{
    public List<string> Log { get; } = [];

    public byte[]? Hlak { get; private set; }

    public IPAddress? NetworkAddress { get; private set; }

    public Action<string>? AddressRequired { get; set; }

    public void OnAuthenticated(string userName, byte[] hlak)
    {
        Hlak = hlak;
        Log.Add("authenticated " + userName);
    }

    public void OnAuthenticationFailed(string? userName, string reason) => Log.Add("auth-failed " + userName + ": " + reason);

    public void OnAddressRequired(string userName)
    {
        Log.Add("address-required " + userName);
        AddressRequired?.Invoke(userName);
    }

    public void OnNetworkUp(IPAddress clientAddress)
    {
        NetworkAddress = clientAddress;
        Log.Add("network-up " + clientAddress);
    }

    public void OnNetworkDown() => Log.Add("network-down");

    public void OnIpv6Up(ulong localInterfaceId, ulong peerInterfaceId) => Log.Add($"ipv6-up {localInterfaceId:X16} {peerInterfaceId:X16}");

    public void OnIpv6Down() => Log.Add("ipv6-down");

    public void OnLinkTerminated(string reason) => Log.Add("terminated " + reason);
}

internal sealed class RecordingClientEvents : IPppClientEvents
{
    public List<string> Log { get; } = [];

    public byte[]? Hlak { get; private set; }

    public void OnAuthenticated(byte[] hlak)
    {
        Hlak = hlak;
        Log.Add("authenticated");
    }

    public void OnAuthenticationFailed(string reason) => Log.Add("auth-failed " + reason);

    public void OnNetworkUp(IPAddress address, IPAddress? gateway, IPAddress? primaryDns, IPAddress? secondaryDns) =>
        Log.Add($"network-up {address} gw {gateway} dns {primaryDns} {secondaryDns}");

    public void OnNetworkDown() => Log.Add("network-down");

    public void OnIpv6Up(ulong localInterfaceId, ulong peerInterfaceId) => Log.Add($"ipv6-up {localInterfaceId:X16} {peerInterfaceId:X16}");

    public void OnIpv6Down() => Log.Add("ipv6-down");

    public void OnLinkTerminated(string reason) => Log.Add("terminated " + reason);
}

internal static class Hex
{
    public static byte[] Parse(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    public static string Of(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length * 3);
        for (int i = 0; i < bytes.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }

            sb.Append(bytes[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }
}

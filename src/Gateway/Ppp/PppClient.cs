using System.Buffers.Binary;
using System.Net;
using Gateway.Ppp.Auth;
using Microsoft.Extensions.Logging;

namespace Gateway.Ppp;

/// <summary>
/// The peer (client) end of a PPP link, used by the project's own SSTP client and by tests: LCP client policy,
/// authentication with an <see cref="IClientAuthenticator"/>, IPCP requesting an address and DNS, optional IPv6CP.
/// </summary>
public sealed class PppClient : PppEndpoint
{
    /// <summary>HLAK reported when the server requires no authentication (MS-SSTP 3.2.5.2: zero-filled).</summary>
    private const int HlakLength = 32;

    private readonly IClientAuthenticatorFactory _authenticators;
    private readonly IPppClientEvents _events;
    private readonly LcpClientPolicy _lcp;
    private readonly IpcpClientPolicy _ipcp;
    private readonly Ipv6cpPolicy? _ipv6cp;
    private IClientAuthenticator? _authenticator;
    private bool _authenticationDone;

    public PppClient(
        PppClientOptions options,
        IClientAuthenticatorFactory authenticators,
        IPppFrameSink sink,
        IPppClientEvents events,
        ILogger logger,
        Random? random = null)
        : this(options, authenticators, sink, events, logger, Policies.Create(options, authenticators, random ?? Random.Shared))
    {
    }

    private PppClient(
        PppClientOptions options, IClientAuthenticatorFactory authenticators, IPppFrameSink sink, IPppClientEvents events,
        ILogger logger, Policies policies)
        : base(sink, logger, options.Timers, policies.Lcp, policies.Ipcp, policies.Ipv6cp)
    {
        ArgumentNullException.ThrowIfNull(events);
        _authenticators = authenticators;
        _events = events;
        _lcp = policies.Lcp;
        _ipcp = policies.Ipcp;
        _ipv6cp = policies.Ipv6cp;
    }

    /// <summary>The method the server asked for, once LCP is Opened (null when it required none).</summary>
    public AuthMethod? AuthenticationMethod => _lcp.AgreedMethod;

    /// <summary>Our IPv4 address once IPCP is Opened.</summary>
    public IPAddress? Address => Ipcp.IsOpened ? ToAddress(_ipcp.Address) : null;

    private protected override long AuthenticationDeadlineMs =>
        _authenticator is null || _authenticationDone ? long.MaxValue : _authenticator.NextDeadlineMs;

    private protected override void OnLinkOpened(long nowMs)
    {
        _authenticationDone = false;
        AuthMethod? method = _lcp.AgreedMethod;
        if (method is null)
        {
            _authenticationDone = true;
            byte[] zero = new byte[HlakLength];
            Raise(() => _events.OnAuthenticated(zero));
            EnterNetworkPhase(nowMs);
            return;
        }

        Phase = PppPhase.Authenticate;
        _authenticator = _authenticators.Create(method.Value);
        _authenticator.Start(this, nowMs);
        CheckAuthentication(nowMs);
    }

    private protected override void OnLinkDown()
    {
        _authenticator = null;
        _authenticationDone = false;
    }

    private protected override void OnAuthenticationTimer(long nowMs)
    {
        if (_authenticator is not null && !_authenticationDone && nowMs >= _authenticator.NextDeadlineMs)
        {
            _authenticator.OnTimer(nowMs, this);
            CheckAuthentication(nowMs);
        }
    }

    private protected override bool ReceiveAuthentication(ushort protocol, ReadOnlySpan<byte> packet, long nowMs)
    {
        if (_authenticator is null || protocol != _authenticator.Protocol)
        {
            return false;
        }

        if (!_authenticationDone)
        {
            _authenticator.Receive(packet, this, nowMs);
            CheckAuthentication(nowMs);
        }

        return true;
    }

    private protected override void OnIpcpOpened()
    {
        IPAddress address = ToAddress(_ipcp.Address);
        IPAddress? gateway = _ipcp.PeerAddress == 0 ? null : ToAddress(_ipcp.PeerAddress);
        IPAddress? dns1 = _ipcp.Dns1 == 0 ? null : ToAddress(_ipcp.Dns1);
        IPAddress? dns2 = _ipcp.Dns2 == 0 ? null : ToAddress(_ipcp.Dns2);
        Raise(() => _events.OnNetworkUp(address, gateway, dns1, dns2));
    }

    private protected override void OnIpcpDown() => Raise(_events.OnNetworkDown);

    private protected override void OnIpv6cpOpened()
    {
        ulong local = _ipv6cp!.LocalInterfaceId;
        ulong peer = _ipv6cp.PeerInterfaceId;
        Raise(() => _events.OnIpv6Up(local, peer));
    }

    private protected override void OnIpv6cpDown() => Raise(_events.OnIpv6Down);

    private protected override void OnTerminated(string reason) => Raise(() => _events.OnLinkTerminated(reason));

    private void CheckAuthentication(long nowMs)
    {
        IClientAuthenticator? authenticator = _authenticator;
        if (authenticator is null || _authenticationDone)
        {
            return;
        }

        switch (authenticator.Status)
        {
            case AuthStatus.Succeeded:
                _authenticationDone = true;
                byte[] hlak = authenticator.Hlak.ToArray();
                PppLog.AuthSucceeded(Logger, _lcp.AgreedMethod?.ToString() ?? "none", "(self)");
                Raise(() => _events.OnAuthenticated(hlak));
                EnterNetworkPhase(nowMs);
                break;
            case AuthStatus.Failed:
                _authenticationDone = true;
                string reason = authenticator.FailureReason ?? "authentication failed";
                PppLog.AuthFailed(Logger, _lcp.AgreedMethod?.ToString() ?? "none", "(self)", reason);
                Raise(() => _events.OnAuthenticationFailed(reason));
                TerminateAfterAuthenticationFailure(reason, nowMs);
                break;
        }
    }

    private void EnterNetworkPhase(long nowMs)
    {
        Phase = PppPhase.Network;
        StartNcp(Ipcp, null, nowMs);
        if (Ipv6cp is not null)
        {
            StartNcp(Ipv6cp, null, nowMs);
        }
    }

    private static IPAddress ToAddress(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    private sealed record Policies(LcpClientPolicy Lcp, IpcpClientPolicy Ipcp, Ipv6cpPolicy? Ipv6cp)
    {
        public static Policies Create(PppClientOptions options, IClientAuthenticatorFactory authenticators, Random random)
        {
            ArgumentNullException.ThrowIfNull(options);
            ArgumentNullException.ThrowIfNull(authenticators);
            return new Policies(
                new LcpClientPolicy(authenticators.Methods, options.Mru, random),
                new IpcpClientPolicy(options.RequestDns),
                options.Ipv6Enabled ? new Ipv6cpPolicy(random) : null);
        }
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Gateway.Ppp.Auth;
using Microsoft.Extensions.Logging;

namespace Gateway.Ppp;

/// <summary>
/// The gateway end of one PPP link: LCP (server policy), authentication through
/// <see cref="IServerAuthenticatorFactory"/>, then IPCP and optionally IPv6CP with addresses the host supplies
/// via <see cref="SetAddresses"/>. Pure and single-threaded: the session pump calls it from one place.
/// </summary>
public sealed class PppServer : PppEndpoint
{
    private readonly PppOptions _options;
    private readonly IServerAuthenticatorFactory _authenticators;
    private readonly IPppServerEvents _events;
    private readonly LcpServerPolicy _lcp;
    private readonly IpcpServerPolicy _ipcp;
    private readonly Ipv6cpPolicy? _ipv6cp;
    private readonly uint _defaultDns1;
    private readonly uint _defaultDns2;
    private IServerAuthenticator? _authenticator;
    private AuthMethod _method;
    private long _authenticationDeadline = long.MaxValue;
    private bool _authenticationDone;
    private PppAddressAssignment? _assignment;
    private byte[]? _deferredIpcp;
    private byte[]? _deferredIpv6cp;

    public PppServer(
        PppOptions options,
        IServerAuthenticatorFactory authenticators,
        IPppFrameSink sink,
        IPppServerEvents events,
        ILogger logger,
        Random? random = null)
        : this(options, authenticators, sink, events, logger, Policies.Create(options, random ?? Random.Shared))
    {
    }

    private PppServer(
        PppOptions options, IServerAuthenticatorFactory authenticators, IPppFrameSink sink, IPppServerEvents events,
        ILogger logger, Policies policies)
        : base(sink, logger, options.ToTimers(), policies.Lcp, policies.Ipcp, policies.Ipv6cp)
    {
        ArgumentNullException.ThrowIfNull(authenticators);
        ArgumentNullException.ThrowIfNull(events);
        _options = options;
        _authenticators = authenticators;
        _events = events;
        _lcp = policies.Lcp;
        _ipcp = policies.Ipcp;
        _ipv6cp = policies.Ipv6cp;
        _defaultDns1 = options.DnsServers.Count > 0 ? ParseDns(options.DnsServers[0]) : 0;
        _defaultDns2 = options.DnsServers.Count > 1 ? ParseDns(options.DnsServers[1]) : 0;
    }

    /// <summary>The method LCP agreed on (valid from the authentication phase on).</summary>
    public AuthMethod? AuthenticationMethod => _authenticator is null ? null : _method;

    /// <summary>The user name the peer gave, once known.</summary>
    public string? UserName { get; private set; }

    /// <summary>The address assignment given through <see cref="SetAddresses"/>.</summary>
    public PppAddressAssignment? Addresses => _assignment;

    /// <summary>The IPv6CP interface identifiers (ours, the peer's) once IPv6CP is Opened.</summary>
    public (ulong Local, ulong Peer)? Ipv6InterfaceIds =>
        Ipv6cp is { IsOpened: true } && _ipv6cp is not null ? (_ipv6cp.LocalInterfaceId, _ipv6cp.PeerInterfaceId) : null;

    /// <summary>
    /// Supplies the session's addresses (after <see cref="IPppServerEvents.OnAddressRequired"/>, or earlier).
    /// Starts IPCP (and IPv6CP) and answers the client's deferred Configure-Request.
    /// </summary>
    public void SetAddresses(PppAddressAssignment assignment, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        uint client = ToUInt32(assignment.ClientAddress);
        uint gateway = ToUInt32(assignment.GatewayAddress);
        if (client == 0 || gateway == 0 || client == gateway)
        {
            throw new ArgumentException("Client and gateway addresses must be distinct, non-zero IPv4 addresses.", nameof(assignment));
        }

        Enter();
        try
        {
            _assignment = assignment;
            uint dns1 = assignment.PrimaryDns is null ? _defaultDns1 : ToUInt32(assignment.PrimaryDns);
            uint dns2 = assignment.SecondaryDns is null ? _defaultDns2 : ToUInt32(assignment.SecondaryDns);
            _ipcp.Configure(client, gateway, dns1, dns2);
            _ipv6cp?.Configure(assignment.GatewayInterfaceId, assignment.ClientInterfaceId);
            if (Phase == PppPhase.Network)
            {
                StartNetworkProtocols(nowMs);
            }
        }
        finally
        {
            Exit();
        }
    }

    private protected override long AuthenticationDeadlineMs =>
        _authenticator is null || _authenticationDone
            ? long.MaxValue
            : Math.Min(_authenticationDeadline, _authenticator.NextDeadlineMs);

    private protected override void OnLinkOpened(long nowMs)
    {
        Phase = PppPhase.Authenticate;
        _method = _lcp.NegotiatedMethod ?? _lcp.CurrentMethod;
        _authenticationDone = false;
        _authenticationDeadline = nowMs + _options.AuthenticationTimeoutMs;
        _authenticator = _authenticators.Create(_method);
        _authenticator.Start(this, nowMs);
        CheckAuthentication(nowMs);
    }

    private protected override void OnLinkDown()
    {
        _deferredIpcp = null;
        _deferredIpv6cp = null;
        _authenticator = null;
        _authenticationDone = false;
        _authenticationDeadline = long.MaxValue;
    }

    private protected override void OnAuthenticationTimer(long nowMs)
    {
        if (_authenticator is null || _authenticationDone)
        {
            return;
        }

        if (nowMs >= _authenticator.NextDeadlineMs)
        {
            _authenticator.OnTimer(nowMs, this);
            CheckAuthentication(nowMs);
        }

        if (!_authenticationDone && nowMs >= _authenticationDeadline)
        {
            Fail("authentication timed out", nowMs);
        }
    }

    private protected override bool ReceiveAuthentication(ushort protocol, ReadOnlySpan<byte> packet, long nowMs)
    {
        if (_authenticator is null || protocol != _authenticator.Protocol)
        {
            return false;
        }

        // Late retransmissions after success still reach the authenticator (it repeats its Success).
        _authenticator.Receive(packet, this, nowMs);
        CheckAuthentication(nowMs);
        return true;
    }

    private protected override void DeferNcpPacket(NegotiationAutomaton ncp, in CpPacket packet)
    {
        if (packet.Code != CpCode.ConfigureRequest)
        {
            return;
        }

        // Only the latest Configure-Request matters; it is answered once the host assigned addresses.
        byte[] copy = packet.Whole.ToArray();
        if (ncp == Ipcp)
        {
            _deferredIpcp = copy;
        }
        else
        {
            _deferredIpv6cp = copy;
        }
    }

    private protected override void OnIpcpOpened()
    {
        IPAddress address = _assignment!.ClientAddress;
        Raise(() => _events.OnNetworkUp(address));
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
        IServerAuthenticator? authenticator = _authenticator;
        if (authenticator is null || _authenticationDone)
        {
            return;
        }

        switch (authenticator.Status)
        {
            case AuthStatus.Succeeded:
                _authenticationDone = true;
                string user = authenticator.UserName ?? string.Empty;
                UserName = user;
                byte[] hlak = authenticator.Hlak.ToArray();
                PppLog.AuthSucceeded(Logger, _method.ToString(), user);
                Raise(() => _events.OnAuthenticated(user, hlak));
                Phase = PppPhase.Network;
                if (_assignment is null)
                {
                    Raise(() => _events.OnAddressRequired(user));
                }
                else
                {
                    StartNetworkProtocols(nowMs);
                }

                break;
            case AuthStatus.Failed:
                Fail(authenticator.FailureReason ?? "authentication failed", nowMs);
                break;
        }
    }

    private void Fail(string reason, long nowMs)
    {
        _authenticationDone = true;
        string? user = _authenticator?.UserName;
        UserName = user;
        PppLog.AuthFailed(Logger, _method.ToString(), user, reason);
        Raise(() => _events.OnAuthenticationFailed(user, reason));
        TerminateAfterAuthenticationFailure(reason, nowMs);
    }

    private void StartNetworkProtocols(long nowMs)
    {
        if (Ipcp.State is NegotiationState.Initial or NegotiationState.Starting)
        {
            byte[]? deferred = _deferredIpcp;
            _deferredIpcp = null;
            StartNcp(Ipcp, deferred, nowMs);
        }

        if (Ipv6cp is not null && Ipv6cp.State is NegotiationState.Initial or NegotiationState.Starting)
        {
            byte[]? deferred = _deferredIpv6cp;
            _deferredIpv6cp = null;
            StartNcp(Ipv6cp, deferred, nowMs);
        }
    }

    private static uint ParseDns(string text) =>
        IPAddress.TryParse(text, out IPAddress? address) && address.AddressFamily == AddressFamily.InterNetwork
            ? ToUInt32(address)
            : throw new ArgumentException($"Ppp:DnsServers entry '{text}' is not an IPv4 address.", nameof(text));

    private static uint ToUInt32(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("Expected an IPv4 address: " + address, nameof(address));
        }

        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    private sealed record Policies(LcpServerPolicy Lcp, IpcpServerPolicy Ipcp, Ipv6cpPolicy? Ipv6cp)
    {
        public static Policies Create(PppOptions options, Random random)
        {
            ArgumentNullException.ThrowIfNull(options);
            return new Policies(
                new LcpServerPolicy(options.EffectiveAuthMethods, options.Mru, random),
                new IpcpServerPolicy(),
                options.Ipv6Enabled ? new Ipv6cpPolicy(random) : null);
        }
    }
}

using Gateway.Credentials;
using Gateway.Edge;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using YamlDotNet.RepresentationModel;
using static Gateway.Tests.Ops.K8sManifests;

namespace Gateway.Tests.Ops;

/// <summary>The k8s/ manifests against what the gateway really serves and reads.</summary>
public sealed class ManifestTests
{
    private static readonly K8sManifests Manifests = K8sManifests.Load();

    private static YamlMappingNode Deployment => Manifests.Single("Deployment", "sstp-gateway").Root;

    private static YamlMappingNode GatewayContainer =>
        Sequence(Deployment, "spec", "template", "spec", "containers").Single(c => Scalar(c, "name") == "gateway");

    /// <summary>Every environment variable the gateway container gets: env, and envFrom ConfigMaps and Secrets.</summary>
    private static IReadOnlyList<(string Name, string? Value, string Source)> GatewayEnvironment()
    {
        var result = new List<(string, string?, string)>();
        foreach (YamlMappingNode e in Sequence(GatewayContainer, "env"))
        {
            result.Add((Scalar(e, "name")!, Scalar(e, "value"), "deployment env"));
        }
        foreach (YamlMappingNode from in Sequence(GatewayContainer, "envFrom"))
        {
            if (Scalar(from, "configMapRef", "name") is { } cm)
            {
                result.AddRange(Map(Manifests.Single("ConfigMap", cm).Root, "data").Select(kv => (kv.Key, (string?)kv.Value, "ConfigMap " + cm)));
            }
            if (Scalar(from, "secretRef", "name") is { } secret)
            {
                result.AddRange(Map(Manifests.Single("Secret", secret).Root, "stringData").Select(kv => (kv.Key, (string?)kv.Value, "Secret " + secret)));
            }
        }
        return result;
    }

    private static string Setting(string envName) =>
        GatewayEnvironment().Single(e => e.Name == envName).Value ?? throw new InvalidDataException(envName + " has no literal value");

    private static int ContainerPort(string portName) =>
        int.Parse(Scalar(Sequence(GatewayContainer, "ports").Single(p => Scalar(p, "name") == portName), "containerPort")!);

    [Fact]
    public void Every_document_has_apiVersion_kind_and_name()
    {
        Assert.True(Manifests.Documents.Count >= 10, $"only {Manifests.Documents.Count} documents in k8s/");
        foreach (Document d in Manifests.Documents)
        {
            Assert.False(string.IsNullOrEmpty(Scalar(d.Root, "apiVersion")), d.File + ": apiVersion");
            Assert.False(string.IsNullOrEmpty(d.Kind), d.File + ": kind");
            Assert.False(string.IsNullOrEmpty(d.Name), d.File + ": metadata.name");
        }
    }

    [Fact]
    public void Kustomization_lists_every_manifest()
    {
        Document kustomization = Manifests.Single("Kustomization", "sstp-gateway");
        string[] listed = [.. ((YamlSequenceNode)Node(kustomization.Root, "resources")!).Children
            .Select(n => ((YamlScalarNode)n).Value!).Order(StringComparer.Ordinal)];
        string[] present = [.. System.IO.Directory.GetFiles(Manifests.Directory, "*.yaml").Select(Path.GetFileName)
            .Where(f => f != "kustomization.yaml").Order(StringComparer.Ordinal)!];
        Assert.Equal(present, listed);
        Assert.Equal("sstp-gateway", Scalar(kustomization.Root, "namespace"));
    }

    [Fact]
    public void Probes_use_the_plain_probe_port_and_the_paths_the_gateway_maps()
    {
        Assert.Equal("/readyz", Scalar(GatewayContainer, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/healthz", Scalar(GatewayContainer, "livenessProbe", "httpGet", "path"));
        Assert.Equal("/healthz", Scalar(GatewayContainer, "startupProbe", "httpGet", "path"));
        foreach (string probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
        {
            Assert.Equal("probe", Scalar(GatewayContainer, probe, "httpGet", "port"));
            Assert.Null(Scalar(GatewayContainer, probe, "httpGet", "scheme")); // plain HTTP
        }

        // The probe listener the ConfigMap sets (plain HTTP even when the management port requires client
        // certificates) is the probed container port, on all addresses: the kubelet probes the pod IP.
        Assert.Equal("0.0.0.0:8445", Setting("Edge__Management__ProbeListen__0"));
        Assert.Equal(8445, ContainerPort("probe"));
        Assert.Equal("0.0.0.0:8444", Setting("Edge__ManagementListen__0"));
        Assert.Equal(8444, ContainerPort("management"));

        // The gateway maps exactly these paths (MapGatewayHealth, as GatewayApp uses it).
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSingleton<GatewayReadiness>(); // registration only: lets /readyz bind its parameter
        using WebApplication app = builder.Build();
        app.MapGatewayHealth();
        string?[] routes = [.. ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints)
            .OfType<RouteEndpoint>().Select(e => e.RoutePattern.RawText)];
        Assert.Contains("/readyz", routes);
        Assert.Contains("/healthz", routes);
    }

    [Fact]
    public void Termination_grace_exceeds_preStop_plus_the_shutdown_grace()
    {
        int terminationSeconds = int.Parse(Scalar(Deployment, "spec", "template", "spec", "terminationGracePeriodSeconds")!);
        int shutdownGraceMs = int.Parse(Setting("Sessions__ShutdownGraceMs"));
        YamlSequenceNode preStop = (YamlSequenceNode)Node(GatewayContainer, "lifecycle", "preStop", "exec", "command")!;
        Assert.Equal("sleep", ((YamlScalarNode)preStop.Children[0]).Value);
        int preStopSeconds = int.Parse(((YamlScalarNode)preStop.Children[1]).Value!);

        Assert.Equal(45, terminationSeconds);
        Assert.Equal(25_000, shutdownGraceMs);
        Assert.True(terminationSeconds * 1000 > shutdownGraceMs, "terminationGracePeriodSeconds <= ShutdownGraceMs");
        Assert.True(terminationSeconds * 1000 > preStopSeconds * 1000 + shutdownGraceMs + 5_000,
            "no margin after preStop + ShutdownGraceMs");
        // Stay inside the .NET host's default 30 s shutdown timeout (HostOptions.ShutdownTimeout is not changed).
        Assert.True(shutdownGraceMs < 30_000);
    }

    [Fact]
    public void Public_service_is_a_LoadBalancer_on_443_with_Local_traffic_policy_and_client_affinity()
    {
        YamlMappingNode service = Manifests.Single("Service", "sstp-gateway").Root;
        Assert.Equal("LoadBalancer", Scalar(service, "spec", "type"));
        Assert.Equal("Local", Scalar(service, "spec", "externalTrafficPolicy"));
        Assert.Equal("ClientIP", Scalar(service, "spec", "sessionAffinity"));
        Assert.Equal("3600", Scalar(service, "spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds"));
        YamlMappingNode port = Assert.Single(Sequence(service, "spec", "ports"));
        Assert.Equal("443", Scalar(port, "port"));
        Assert.Equal("TCP", Scalar(port, "protocol"));
        Assert.Equal(443, ContainerPort(Scalar(port, "targetPort")!));
        Assert.Equal("0.0.0.0:443", Setting("Edge__Listen__0"));
        Assert.Equal("*", Scalar(service, "metadata", "annotations", "service.beta.kubernetes.io/aws-load-balancer-proxy-protocol"));
        Assert.Equal("/readyz", Scalar(service, "metadata", "annotations", "service.beta.kubernetes.io/aws-load-balancer-healthcheck-path"));
        Assert.Equal(ContainerPort("probe").ToString(System.Globalization.CultureInfo.InvariantCulture),
            Scalar(service, "metadata", "annotations", "service.beta.kubernetes.io/aws-load-balancer-healthcheck-port"));

        // Both services select the gateway pods.
        string podLabel = Scalar(Deployment, "spec", "template", "metadata", "labels", "app.kubernetes.io/name")!;
        Assert.Equal(podLabel, Scalar(service, "spec", "selector", "app.kubernetes.io/name"));
        YamlMappingNode management = Manifests.Single("Service", "sstp-gateway-management").Root;
        Assert.Equal("ClusterIP", Scalar(management, "spec", "type"));
        Assert.Equal(podLabel, Scalar(management, "spec", "selector", "app.kubernetes.io/name"));
        Assert.Equal("8444", Scalar(Assert.Single(Sequence(management, "spec", "ports")), "port"));
        Assert.Equal(podLabel, Scalar(Manifests.Single("PodDisruptionBudget", "sstp-gateway").Root, "spec", "selector", "matchLabels", "app.kubernetes.io/name"));
    }

    [Fact]
    public void Every_environment_variable_is_a_gateway_setting_and_binds()
    {
        var env = GatewayEnvironment();
        Assert.True(env.Count >= 15, $"only {env.Count} variables");
        foreach ((string name, string? value, string source) in env)
        {
            string key = name.Replace("__", ":", StringComparison.Ordinal);
            Assert.True(ConfigurationKeyMap.Problem(key) is null, $"{source}: {ConfigurationKeyMap.Problem(key)}");

            // The value binds to the options type, with unknown keys refused (enums, booleans, numbers parse).
            if (value is null || ConfigurationKeyMap.DirectKeys.Contains(key))
            {
                continue;
            }
            KeyValuePair<string, Type> section = ConfigurationKeyMap.Sections
                .Where(s => key.StartsWith(s.Key + ":", StringComparison.OrdinalIgnoreCase))
                .MaxBy(s => s.Key.Length);
            IConfiguration config = new ConfigurationBuilder().AddInMemoryCollection([new(key, value)]).Build();
            Exception? error = Record.Exception(() =>
                config.GetSection(section.Key).Get(section.Value, o => o.ErrorOnUnknownConfiguration = true));
            Assert.True(error is null, $"{source}: {name}={value}: {error?.Message}");
        }
    }

    [Theory]
    [InlineData("Edge:Tls:CertificatePath", true)]
    [InlineData("Edge:ProxyProtocol:TrustedProxies:3", true)]
    [InlineData("State:Redis:Configuration", true)]
    [InlineData("State:Pool:LeaseLinger", true)]
    [InlineData("Ppp:Auth:TimeoutMs", true)]
    [InlineData("Admin:ApiKeys:0", true)]
    [InlineData("Gateway:DataDirectory", true)]
    [InlineData("Edge:Tls:CertPath", false)]
    [InlineData("Edge:Tls", false)]
    [InlineData("Edge:Listen:first", false)]
    [InlineData("Tunnel:Nat:Enabled", false)]
    [InlineData("Gateway:NodeId", false)]
    [InlineData("Redis:Configuration", false)]
    public void Key_map_accepts_gateway_settings_and_refuses_others(string key, bool known)
    {
        Assert.Equal(known, ConfigurationKeyMap.Problem(key) is null);
    }

    [Fact]
    public void Container_adds_NET_ADMIN_and_NET_BIND_SERVICE_and_mounts_the_host_tun_device()
    {
        string[] added = [.. ((YamlSequenceNode)Node(GatewayContainer, "securityContext", "capabilities", "add")!).Children
            .Select(n => ((YamlScalarNode)n).Value!)];
        Assert.Contains("NET_ADMIN", added);
        Assert.Contains("NET_BIND_SERVICE", added);
        Assert.Equal("ALL", ((YamlScalarNode)((YamlSequenceNode)Node(GatewayContainer, "securityContext", "capabilities", "drop")!).Children[0]).Value);
        Assert.Equal("false", Scalar(GatewayContainer, "securityContext", "allowPrivilegeEscalation"));

        YamlMappingNode mount = Sequence(GatewayContainer, "volumeMounts").Single(m => Scalar(m, "mountPath") == "/dev/net/tun");
        YamlMappingNode volume = Sequence(Deployment, "spec", "template", "spec", "volumes").Single(v => Scalar(v, "name") == Scalar(mount, "name"));
        Assert.Equal("/dev/net/tun", Scalar(volume, "hostPath", "path"));
        Assert.Equal("CharDevice", Scalar(volume, "hostPath", "type"));
        Assert.Equal("sstp-gateway:latest", Scalar(GatewayContainer, "image"));
    }

    [Fact]
    public void Node_id_comes_from_the_pod_name_and_state_is_in_the_redis_service()
    {
        YamlMappingNode nodeId = Sequence(GatewayContainer, "env").Single(e => Scalar(e, "name") == "State__NodeId");
        Assert.Equal("metadata.name", Scalar(nodeId, "valueFrom", "fieldRef", "fieldPath"));

        Assert.Equal("Redis", Setting("State__Provider"));
        YamlMappingNode redisService = Manifests.Single("Service", "sstp-redis").Root;
        string port = Scalar(Assert.Single(Sequence(redisService, "spec", "ports")), "port")!;
        Assert.Equal("sstp-redis:" + port, Setting("State__Redis__Configuration"));

        YamlMappingNode redis = Manifests.Single("StatefulSet", "sstp-redis").Root;
        Assert.Equal("1", Scalar(redis, "spec", "replicas"));
        string[] args = [.. ((YamlSequenceNode)Node(Sequence(redis, "spec", "template", "spec", "containers").Single(), "args")!).Children
            .Select(n => ((YamlScalarNode)n).Value!)];
        Assert.Equal("yes", args[Array.IndexOf(args, "--appendonly") + 1]);
    }

    [Fact]
    public void Mounted_secrets_match_the_configured_paths_and_are_marked_as_examples()
    {
        var mounts = Sequence(GatewayContainer, "volumeMounts").ToDictionary(m => Scalar(m, "name")!, m => Scalar(m, "mountPath")!);
        var secretVolumes = Sequence(Deployment, "spec", "template", "spec", "volumes")
            .Where(v => Scalar(v, "secret", "secretName") is not null)
            .ToDictionary(v => Scalar(v, "secret", "secretName")!, v => mounts[Scalar(v, "name")!]);

        Assert.Equal(secretVolumes["sstp-gateway-tls"] + "/tls.crt", Setting("Edge__Tls__CertificatePath"));
        Assert.Equal(secretVolumes["sstp-gateway-tls"] + "/tls.key", Setting("Edge__Tls__KeyPath"));
        Assert.Equal(secretVolumes["sstp-gateway-users"] + "/users.json", Setting("Credentials__UsersFile"));
        Assert.Contains("tls.crt", Map(Manifests.Single("Secret", "sstp-gateway-tls").Root, "stringData").Keys);

        // The example users file parses as a users file.
        string usersJson = Map(Manifests.Single("Secret", "sstp-gateway-users").Root, "stringData")["users.json"];
        Assert.Equal("alice", Assert.Single(UsersFile.Parse(System.Text.Encoding.UTF8.GetBytes(usersJson))).UserName);

        foreach (Document secret in Manifests.OfKind("Secret"))
        {
            Assert.Equal("secret-example.yaml", secret.File);
            Assert.Equal("true", Scalar(secret.Root, "metadata", "annotations", "example"));
        }
    }
}

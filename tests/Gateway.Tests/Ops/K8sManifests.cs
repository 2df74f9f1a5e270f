using YamlDotNet.RepresentationModel;

namespace Gateway.Tests.Ops;

/// <summary>The YAML documents of the repository's k8s/ folder, parsed with YamlDotNet, and small lookups over them.</summary>
internal sealed class K8sManifests
{
    public sealed record Document(string File, YamlMappingNode Root)
    {
        public string? Kind => Scalar(Root, "kind");
        public string? Name => Scalar(Root, "metadata", "name");
    }

    private K8sManifests(string directory, IReadOnlyList<Document> documents)
    {
        Directory = directory;
        Documents = documents;
    }

    public string Directory { get; }

    public IReadOnlyList<Document> Documents { get; }

    /// <summary>The repository root: the first parent of the test assembly's folder that holds Gateway.sln.</summary>
    public static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Gateway.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Every document of every k8s/*.yaml (kustomization.yaml included); empty documents are skipped.</summary>
    public static K8sManifests Load()
    {
        string directory = Path.Combine(RepositoryRoot(), "k8s");
        var documents = new List<Document>();
        foreach (string file in System.IO.Directory.GetFiles(directory, "*.yaml").Order(StringComparer.Ordinal))
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(file))
            {
                stream.Load(reader);
            }
            foreach (YamlDocument doc in stream.Documents)
            {
                if (doc.RootNode is YamlMappingNode map)
                {
                    documents.Add(new Document(Path.GetFileName(file), map));
                }
                else if (doc.RootNode is not YamlScalarNode { Value: null or "" })
                {
                    throw new InvalidDataException($"{file}: a document is not a mapping");
                }
            }
        }
        return new K8sManifests(directory, documents);
    }

    public Document Single(string kind, string name) =>
        Documents.Single(d => d.Kind == kind && d.Name == name);

    public IEnumerable<Document> OfKind(string kind) => Documents.Where(d => d.Kind == kind);

    public static YamlNode? Node(YamlNode? node, params string[] path)
    {
        foreach (string key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? next))
            {
                return null;
            }
            node = next;
        }
        return node;
    }

    public static string? Scalar(YamlNode? node, params string[] path) => (Node(node, path) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlMappingNode> Sequence(YamlNode? node, params string[] path) =>
        (Node(node, path) as YamlSequenceNode)?.Children.OfType<YamlMappingNode>() ?? [];

    /// <summary>The keys and string values of a mapping (a ConfigMap's data, a Secret's stringData).</summary>
    public static IReadOnlyDictionary<string, string> Map(YamlNode? node, params string[] path) =>
        (Node(node, path) as YamlMappingNode)?.Children
            .ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => (kv.Value as YamlScalarNode)?.Value ?? "")
        ?? new Dictionary<string, string>();
}

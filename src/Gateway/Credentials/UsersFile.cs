using System.Text.Json;

namespace Gateway.Credentials;

/// <summary>
/// The users file (for example <c>users.json</c> in the data directory):
/// <code>
/// {
///   "version": 1,
///   "users": [
///     { "name": "alice", "ntHash": "44EBBA8D5312B8D611474411F56989AE", "disabled": false },
///     { "name": "bob",   "ntHash": "...", "password": "only-for-chap-md5", "disabled": false }
///   ]
/// }
/// </code>
/// <c>ntHash</c> is <see cref="NtHash.ToHex"/>; it may be omitted when <c>password</c> is present (hand-written
/// files). <c>password</c> is written only for users that keep a CHAP-MD5 clear-text password. Names are unique
/// case-insensitively. Saving writes a temporary file next to the target (mode 0600), flushes it to disk and
/// renames it over the target, so readers never see a half-written file.
/// </summary>
public static class UsersFile
{
    /// <summary>Format version written and accepted.</summary>
    public const int CurrentVersion = 1;

    private static readonly JsonDocumentOptions ReadOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Reads the file. <see cref="UsersFileFormatException"/> for malformed content; I/O errors as usual.</summary>
    public static IReadOnlyList<UserCredential> Load(string path)
    {
        byte[] json = File.ReadAllBytes(path);
        return Parse(json, path);
    }

    /// <summary>Parses users-file content; <paramref name="source"/> names it in error messages.</summary>
    public static IReadOnlyList<UserCredential> Parse(ReadOnlySpan<byte> json, string source = "users file")
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), ReadOptions);
        }
        catch (JsonException ex)
        {
            throw new UsersFileFormatException($"{source}: not valid JSON ({ex.Message})", ex);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new UsersFileFormatException($"{source}: the top level must be an object with \"version\" and \"users\".");
            }

            if (root.TryGetProperty("version", out JsonElement version)
                && (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out int v) || v != CurrentVersion))
            {
                throw new UsersFileFormatException($"{source}: unsupported version {version.GetRawText()}, expected {CurrentVersion}.");
            }

            if (!root.TryGetProperty("users", out JsonElement users) || users.ValueKind != JsonValueKind.Array)
            {
                throw new UsersFileFormatException($"{source}: \"users\" must be an array.");
            }

            var result = new List<UserCredential>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            int index = 0;
            foreach (JsonElement entry in users.EnumerateArray())
            {
                string where = $"{source}: users[{index}]";
                if (entry.ValueKind != JsonValueKind.Object)
                {
                    throw new UsersFileFormatException($"{where} must be an object.");
                }

                var options = new LocalUserOptions
                {
                    Name = GetString(entry, "name", where) ?? string.Empty,
                    NtHash = GetString(entry, "ntHash", where),
                    Password = GetString(entry, "password", where),
                    Disabled = GetBool(entry, "disabled", where),
                };

                UserCredential user;
                try
                {
                    user = LocalCredentialStore.ToCredential(options, where);
                }
                catch (InvalidOperationException ex)
                {
                    throw new UsersFileFormatException(ex.Message, ex);
                }

                if (!seen.Add(user.UserName))
                {
                    throw new UsersFileFormatException($"{where}: duplicate user name '{user.UserName}'.");
                }

                result.Add(user);
                index++;
            }

            return result;
        }
    }

    /// <summary>Writes <paramref name="users"/> atomically (temporary file + rename) to <paramref name="path"/>.</summary>
    public static void Save(string path, IEnumerable<UserCredential> users)
    {
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var streamOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temp, streamOptions))
            {
                using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                {
                    Write(writer, users);
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Serializes <paramref name="users"/> in the users-file format.</summary>
    public static void Write(Utf8JsonWriter writer, IEnumerable<UserCredential> users)
    {
        writer.WriteStartObject();
        writer.WriteNumber("version", CurrentVersion);
        writer.WriteStartArray("users");
        foreach (UserCredential user in users)
        {
            writer.WriteStartObject();
            writer.WriteString("name", user.UserName);
            writer.WriteString("ntHash", NtHash.ToHex(user.NtHash));
            if (user.Password is not null)
            {
                writer.WriteString("password", user.Password);
            }

            writer.WriteBoolean("disabled", user.Disabled);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static string? GetString(JsonElement entry, string name, string where)
    {
        if (!entry.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new UsersFileFormatException($"{where}: \"{name}\" must be a string.");
    }

    private static bool GetBool(JsonElement entry, string name, string where)
    {
        if (!entry.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new UsersFileFormatException($"{where}: \"{name}\" must be true or false."),
        };
    }
}

using Microsoft.Extensions.Options;

namespace Admin;

/// <summary>Rejects weak keys and impossible ports at start-up rather than at the first request.</summary>
internal sealed class AdminApiOptionsValidator : IValidateOptions<AdminApiOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminApiOptions options)
    {
        List<string>? failures = null;
        for (int i = 0; i < options.ApiKeys.Count; i++)
        {
            string key = options.ApiKeys[i];
            if (string.IsNullOrWhiteSpace(key) || key.Length < AdminApiOptions.MinimumApiKeyLength)
            {
                (failures ??= []).Add($"Admin:ApiKeys:{i} must be at least {AdminApiOptions.MinimumApiKeyLength} non-blank characters.");
            }
        }

        for (int i = 0; i < options.ManagementPorts.Count; i++)
        {
            int port = options.ManagementPorts[i];
            if (port is < 1 or > 65535)
            {
                (failures ??= []).Add($"Admin:ManagementPorts:{i} = {port} is not a TCP port (1-65535).");
            }
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

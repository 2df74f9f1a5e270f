using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Admin.Backend;

namespace Admin.Api;

/// <summary>Input rules of the admin API. Each check adds field errors keyed by the JSON/query name.</summary>
internal static class AdminInput
{
    public const int MaxUserNameLength = 64;
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 256;
    public const int MaxReasonLength = 200;
    public const int MaxDeadlineSeconds = 86400;
    public const int MaxLimit = 1000;
    public const int DefaultLimit = 100;
    public const int MaxFilterLength = 256;

    public static void UserName(string? name, string field, Errors errors)
    {
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(field, "The user name is required.");
        }
        else if (name.Length > MaxUserNameLength)
        {
            errors.Add(field, $"The user name must be at most {MaxUserNameLength} characters.");
        }
        else if (name.Contains('\\'))
        {
            errors.Add(field, "The user name must not contain '\\' (give it without a domain).");
        }
        else if (HasControl(name))
        {
            errors.Add(field, "The user name must not contain control characters.");
        }
    }

    public static void Password(string? password, string field, Errors errors)
    {
        if (password is null)
        {
            errors.Add(field, "The password is required.");
        }
        else if (password.Length is < MinPasswordLength or > MaxPasswordLength)
        {
            errors.Add(field, $"The password must be {MinPasswordLength}-{MaxPasswordLength} characters.");
        }
    }

    public static void Reason(string? reason, string field, Errors errors)
    {
        if (reason is null)
        {
            return;
        }

        if (reason.Length > MaxReasonLength)
        {
            errors.Add(field, $"The reason must be at most {MaxReasonLength} characters.");
        }
        else if (HasControl(reason))
        {
            errors.Add(field, "The reason must not contain control characters.");
        }
    }

    /// <summary>Turns the drain body into an absolute deadline, or adds errors.</summary>
    public static DateTimeOffset Deadline(DrainRequest request, DateTimeOffset now, Errors errors)
    {
        if (request.DeadlineSeconds is null == request.Deadline is null)
        {
            errors.Add("deadlineSeconds", "Give exactly one of deadlineSeconds and deadline.");
            return default;
        }

        if (request.DeadlineSeconds is int seconds)
        {
            if (seconds is < 0 or > MaxDeadlineSeconds)
            {
                errors.Add("deadlineSeconds", $"The deadline must be 0-{MaxDeadlineSeconds} seconds.");
                return default;
            }

            return now.AddSeconds(seconds);
        }

        DateTimeOffset deadline = request.Deadline!.Value;
        if (deadline < now || deadline > now.AddSeconds(MaxDeadlineSeconds))
        {
            errors.Add("deadline", $"The deadline must be between now and {MaxDeadlineSeconds} seconds from now.");
            return default;
        }

        return deadline;
    }

    public static SessionQuery SessionQuery(
        string? user, string? node, string? state, string? innerAddress, string? limit, string? offset, Errors errors)
    {
        Filter(user, "user", errors);
        Filter(node, "node", errors);

        SessionState? parsedState = null;
        if (state is not null)
        {
            // Names only: Enum.TryParse would also take "1" or "1,2".
            if (state.Length > 0 && char.IsAsciiLetter(state[0]) && !state.Contains(',')
                && Enum.TryParse(state, ignoreCase: true, out SessionState value))
            {
                parsedState = value;
            }
            else
            {
                errors.Add("state", "The state must be one of " + string.Join(", ", Enum.GetNames<SessionState>()) + ".");
            }
        }

        string? parsedInner = null;
        if (innerAddress is not null)
        {
            if (IPAddress.TryParse(innerAddress, out IPAddress? address) && address.AddressFamily == AddressFamily.InterNetwork
                && innerAddress.Count(c => c == '.') == 3)
            {
                parsedInner = address.ToString();
            }
            else
            {
                errors.Add("innerAddress", "The inner address must be a dotted-quad IPv4 address.");
            }
        }

        int parsedLimit = DefaultLimit;
        if (limit is not null
            && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out parsedLimit) || parsedLimit is < 1 or > MaxLimit))
        {
            errors.Add("limit", $"The limit must be an integer 1-{MaxLimit}.");
        }

        int parsedOffset = 0;
        if (offset is not null && !int.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out parsedOffset))
        {
            errors.Add("offset", "The offset must be a non-negative integer.");
        }

        return new SessionQuery(user, node, parsedState, parsedInner, parsedLimit, parsedOffset);
    }

    private static void Filter(string? value, string field, Errors errors)
    {
        if (value is not null && (value.Length is 0 or > MaxFilterLength || HasControl(value)))
        {
            errors.Add(field, $"The {field} filter must be 1-{MaxFilterLength} characters without control characters.");
        }
    }

    private static bool HasControl(string value)
    {
        foreach (char c in value)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Field errors in the shape <c>ValidationProblem</c> takes.</summary>
    internal sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

        public bool Any => _errors.Count != 0;

        public void Add(string field, string message)
        {
            if (!_errors.TryGetValue(field, out List<string>? list))
            {
                list = [];
                _errors[field] = list;
            }

            list.Add(message);
        }

        public Dictionary<string, string[]> ToDictionary()
        {
            var result = new Dictionary<string, string[]>(_errors.Count, StringComparer.Ordinal);
            foreach (var (field, messages) in _errors)
            {
                result[field] = [.. messages];
            }

            return result;
        }
    }
}

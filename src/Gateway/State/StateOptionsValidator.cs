using Microsoft.Extensions.Options;

namespace Gateway.State;

/// <summary>Reports invalid <see cref="StateOptions"/> at start-up with the message of <see cref="StateOptions.Validate"/>.</summary>
internal sealed class StateOptionsValidator : IValidateOptions<StateOptions>
{
    public ValidateOptionsResult Validate(string? name, StateOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}

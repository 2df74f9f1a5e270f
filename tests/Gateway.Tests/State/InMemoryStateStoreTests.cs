using Gateway.State;

namespace Gateway.Tests.State;

/// <summary>The store contract on <see cref="InMemoryStateStore"/> (stores with the same prefix are one instance).</summary>
public sealed class InMemoryStateStoreTests : StateStoreContractTests
{
    private readonly Dictionary<string, InMemoryStateStore> _stores = [];

    protected override Task<IStateStore> OpenAsync(StateOptions options)
    {
        if (!_stores.TryGetValue(options.KeyPrefix, out InMemoryStateStore? store))
        {
            _stores[options.KeyPrefix] = store = new InMemoryStateStore(options, Time);
        }

        return Task.FromResult<IStateStore>(store);
    }
}

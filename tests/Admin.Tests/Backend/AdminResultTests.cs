using Admin.Backend;

namespace Admin.Tests.Backend;

public sealed class AdminResultTests
{
    [Fact]
    public void Failure_converts_to_typed_result_keeping_status_and_detail()
    {
        AdminResult<NodeInfo> result = AdminResult.Conflict("node is busy");

        Assert.Equal(new AdminResult<NodeInfo>(AdminStatus.Conflict, null, "node is busy"), result);
        Assert.False(result.IsOk);
    }

    [Fact]
    public void Success_does_not_convert_to_typed_result()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => { AdminResult<NodeInfo> converted = AdminResult.Ok(); });

        Assert.Equal("Only a failed AdminResult converts to AdminResult<T>; use AdminResult<T>.Ok(value).", ex.Message);
    }

    [Fact]
    public void Factories_set_status_and_detail()
    {
        Assert.Equal(new AdminResult(AdminStatus.Ok), AdminResult.Ok());
        Assert.Equal(new AdminResult(AdminStatus.NotFound, "a"), AdminResult.NotFound("a"));
        Assert.Equal(new AdminResult(AdminStatus.Unavailable, "b"), AdminResult.Unavailable("b"));
        Assert.Equal(new AdminResult<int>(AdminStatus.Ok, 7), AdminResult<int>.Ok(7));
        Assert.True(AdminResult<int>.Ok(7).IsOk);
        Assert.Equal(new AdminResult<int>(AdminStatus.NotFound, 0, "c"), AdminResult<int>.NotFound("c"));
        Assert.Equal(new AdminResult<int>(AdminStatus.Conflict, 0, "d"), AdminResult<int>.Conflict("d"));
        Assert.Equal(new AdminResult<int>(AdminStatus.Unavailable, 0, "e"), AdminResult<int>.Unavailable("e"));
    }
}

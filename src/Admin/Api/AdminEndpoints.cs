using Admin.Backend;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Admin.Api;

/// <summary>The /api/v1 endpoints: input validation, backend call, result to HTTP mapping, audit log.</summary>
internal static class AdminEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        RouteGroupBuilder sessions = api.MapGroup("/sessions").WithTags("Sessions");
        sessions.MapGet("", ListSessions)
            .WithName("ListSessions")
            .WithSummary("List sessions of the cluster, filtered by user, node, state or inner address, paged with limit/offset.")
            .Produces<SessionPage>()
            .ProducesValidationProblem();
        sessions.MapGet("/{id}", GetSession)
            .WithName("GetSession")
            .WithSummary("Get one session.")
            .Produces<SessionInfo>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        sessions.MapDelete("/{id}", DisconnectSession)
            .WithName("DisconnectSession")
            .WithSummary("Disconnect a session: the owning node sends SSTP CALL_DISCONNECT. 202 once the request is delivered.")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        RouteGroupBuilder nodes = api.MapGroup("/nodes").WithTags("Nodes");
        nodes.MapGet("", ListNodes)
            .WithName("ListNodes")
            .WithSummary("List gateway nodes with heartbeat, drain state and session count.")
            .Produces<IReadOnlyList<NodeInfo>>();
        nodes.MapPost("/{id}/drain", DrainNode)
            .WithName("DrainNode")
            .WithSummary("Drain a node: refuse new sessions, disconnect the remaining ones at the deadline.")
            .AcceptsJson<DrainRequest>()
            .Produces<NodeInfo>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        nodes.MapPost("/{id}/undrain", UndrainNode)
            .WithName("UndrainNode")
            .WithSummary("Stop draining a node: it accepts new sessions again.")
            .Produces<NodeInfo>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/pool", GetPool)
            .WithTags("Pool")
            .WithName("GetPool")
            .WithSummary("Usage of the inner IPv4 address pool.")
            .Produces<PoolUsage>();

        RouteGroupBuilder users = api.MapGroup("/users").WithTags("Users");
        users.MapGet("", ListUsers)
            .WithName("ListUsers")
            .WithSummary("List local users (names and flags; passwords are never returned).")
            .Produces<IReadOnlyList<LocalUserInfo>>();
        users.MapPost("", CreateUser)
            .WithName("CreateUser")
            .WithSummary("Add a local user; the gateway stores the NT hash (and the clear text only for CHAP-MD5 users).")
            .AcceptsJson<CreateUserRequest>()
            .Produces<LocalUserInfo>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        users.MapPut("/{name}/password", SetPassword)
            .WithName("SetUserPassword")
            .WithSummary("Set a local user's password.")
            .AcceptsJson<SetPasswordRequest>()
            .Produces(StatusCodes.Status204NoContent)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        users.MapDelete("/{name}", DeleteUser)
            .WithName("DeleteUser")
            .WithSummary("Remove a local user (live sessions are not disconnected).")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        // Anything else under /api/v1 is a problem-details 404 too (after authentication, so it reveals nothing).
        api.Map("/{**path}", () => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: "No such admin API resource."))
            .ExcludeFromDescription();
    }

    /// <param name="user">Only sessions of this user (case-insensitive).</param>
    /// <param name="node">Only sessions owned by this node id.</param>
    /// <param name="state">Only sessions in this state: Negotiating, Authenticating, Established or Disconnecting.</param>
    /// <param name="innerAddress">Only the session holding this inner IPv4 address.</param>
    /// <param name="limit">Page size, 1-1000 (default 100).</param>
    /// <param name="offset">Sessions to skip (default 0).</param>
    /// <param name="backend">Session backend.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    private static async Task<IResult> ListSessions(
        [FromQuery] string? user,
        [FromQuery] string? node,
        [FromQuery] string? state,
        [FromQuery] string? innerAddress,
        [FromQuery] string? limit,
        [FromQuery] string? offset,
        [FromServices] ISessionAdmin backend,
        CancellationToken cancellationToken)
    {
        var errors = new AdminInput.Errors();
        SessionQuery query = AdminInput.SessionQuery(user, node, state, innerAddress, limit, offset, errors);
        if (errors.Any)
        {
            return AdminProblems.Validation(errors);
        }

        AdminResult<SessionPage> result = await backend.ListSessionsAsync(query, cancellationToken).ConfigureAwait(false);
        return result.IsOk ? Results.Ok(result.Value) : AdminProblems.From(result.Status, result.Detail);
    }

    private static async Task<IResult> GetSession(string id, [FromServices] ISessionAdmin backend, CancellationToken cancellationToken)
    {
        AdminResult<SessionInfo> result = await backend.GetSessionAsync(id, cancellationToken).ConfigureAwait(false);
        return result.IsOk ? Results.Ok(result.Value) : AdminProblems.From(result.Status, result.Detail);
    }

    /// <param name="id">Session id.</param>
    /// <param name="reason">Why (logged by the owning node), at most 200 characters.</param>
    /// <param name="backend">Session backend.</param>
    /// <param name="context">The request.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    private static async Task<IResult> DisconnectSession(
        string id, [FromQuery] string? reason, [FromServices] ISessionAdmin backend, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new AdminInput.Errors();
        AdminInput.Reason(reason, "reason", errors);
        if (errors.Any)
        {
            return AdminProblems.Validation(errors);
        }

        AdminResult result = await backend.DisconnectSessionAsync(id, reason, cancellationToken).ConfigureAwait(false);
        Audit(context, "disconnect session", id, result.Status);
        return result.IsOk ? Results.Accepted() : AdminProblems.From(result.Status, result.Detail);
    }

    private static async Task<IResult> ListNodes([FromServices] INodeAdmin backend, CancellationToken cancellationToken)
    {
        AdminResult<IReadOnlyList<NodeInfo>> result = await backend.ListNodesAsync(cancellationToken).ConfigureAwait(false);
        return result.IsOk ? Results.Ok(result.Value) : AdminProblems.From(result.Status, result.Detail);
    }

    private static async Task<IResult> DrainNode(
        string id, HttpContext context, [FromServices] INodeAdmin backend, [FromServices] TimeProvider time, CancellationToken cancellationToken)
    {
        (DrainRequest? request, IResult? error) = await JsonBody.ReadAsync<DrainRequest>(context).ConfigureAwait(false);
        if (request is null)
        {
            return error!;
        }

        var errors = new AdminInput.Errors();
        DateTimeOffset deadline = AdminInput.Deadline(request, time.GetUtcNow(), errors);
        if (errors.Any)
        {
            return AdminProblems.Validation(errors);
        }

        AdminResult<NodeInfo> result = await backend.DrainNodeAsync(id, deadline, cancellationToken).ConfigureAwait(false);
        Audit(context, "drain node", id, result.Status);
        return result.IsOk ? Results.Ok(result.Value) : AdminProblems.From(result.Status, result.Detail);
    }

    private static async Task<IResult> UndrainNode(string id, HttpContext context, [FromServices] INodeAdmin backend, CancellationToken cancellationToken)
    {
        AdminResult<NodeInfo> result = await backend.UndrainNodeAsync(id, cancellationToken).ConfigureAwait(false);
        Audit(context, "undrain node", id, result.Status);
        return result.IsOk ? Results.Ok(result.Value) : AdminProblems.From(result.Status, result.Detail);
    }

    private static async Task<IResult> GetPool([FromServices] IPoolAdmin backend, CancellationToken cancellationToken)
    {
        AdminResult<PoolUsage> result = await backend.GetPoolUsageAsync(cancellationToken).ConfigureAwait(false);
        return result.IsOk ? Results.Ok(result.Value) : AdminProblems.From(result.Status, result.Detail);
    }

    private static async Task<IResult> ListUsers([FromServices] IUserAdmin backend, CancellationToken cancellationToken)
    {
        AdminResult<IReadOnlyList<LocalUserInfo>> result = await backend.ListUsersAsync(cancellationToken).ConfigureAwait(false);
        return result.IsOk ? Results.Ok(result.Value) : AdminProblems.From(result.Status, result.Detail);
    }

    private static async Task<IResult> CreateUser(HttpContext context, [FromServices] IUserAdmin backend, CancellationToken cancellationToken)
    {
        (CreateUserRequest? request, IResult? error) = await JsonBody.ReadAsync<CreateUserRequest>(context).ConfigureAwait(false);
        if (request is null)
        {
            return error!;
        }

        var errors = new AdminInput.Errors();
        AdminInput.UserName(request.Name, "name", errors);
        AdminInput.Password(request.Password, "password", errors);
        if (errors.Any)
        {
            return AdminProblems.Validation(errors);
        }

        AdminResult<LocalUserInfo> result = await backend.AddUserAsync(request.Name!, request.Password!, request.ChapMd5, cancellationToken).ConfigureAwait(false);
        Audit(context, "add user", request.Name!, result.Status);
        return result.IsOk
            ? Results.Created(AdminApiDefaults.ApiPrefix + "/users/" + Uri.EscapeDataString(result.Value!.Name), result.Value)
            : AdminProblems.From(result.Status, result.Detail);
    }

    private static async Task<IResult> SetPassword(string name, HttpContext context, [FromServices] IUserAdmin backend, CancellationToken cancellationToken)
    {
        var errors = new AdminInput.Errors();
        AdminInput.UserName(name, "name", errors);
        if (errors.Any)
        {
            return AdminProblems.Validation(errors);
        }

        (SetPasswordRequest? request, IResult? error) = await JsonBody.ReadAsync<SetPasswordRequest>(context).ConfigureAwait(false);
        if (request is null)
        {
            return error!;
        }

        AdminInput.Password(request.Password, "password", errors);
        if (errors.Any)
        {
            return AdminProblems.Validation(errors);
        }

        AdminResult result = await backend.SetPasswordAsync(name, request.Password!, cancellationToken).ConfigureAwait(false);
        Audit(context, "set password of user", name, result.Status);
        return result.IsOk ? Results.NoContent() : AdminProblems.From(result.Status, result.Detail);
    }

    private static async Task<IResult> DeleteUser(string name, HttpContext context, [FromServices] IUserAdmin backend, CancellationToken cancellationToken)
    {
        var errors = new AdminInput.Errors();
        AdminInput.UserName(name, "name", errors);
        if (errors.Any)
        {
            return AdminProblems.Validation(errors);
        }

        AdminResult result = await backend.RemoveUserAsync(name, cancellationToken).ConfigureAwait(false);
        Audit(context, "remove user", name, result.Status);
        return result.IsOk ? Results.NoContent() : AdminProblems.From(result.Status, result.Detail);
    }

    private static void Audit(HttpContext context, string action, string target, AdminStatus status)
    {
        ILogger logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(AdminLog.Category);
        AdminLog.Audit(logger, context.User.Identity?.Name, action, target, status.ToString());
    }
}

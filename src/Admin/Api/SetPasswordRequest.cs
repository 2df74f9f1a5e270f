using System.ComponentModel.DataAnnotations;

namespace Admin.Api;

/// <summary>Body of <c>PUT /api/v1/users/{name}/password</c>.</summary>
/// <param name="Password">8-256 characters.</param>
public sealed record SetPasswordRequest([property: Required] string Password);

using System.ComponentModel.DataAnnotations;

namespace Admin.Api;

/// <summary>Body of <c>POST /api/v1/users</c>. Missing members arrive as null and are reported as field errors.</summary>
/// <param name="Name">1-64 characters, no control characters, no '\' (the domain separator).</param>
/// <param name="Password">8-256 characters.</param>
/// <param name="ChapMd5">Keep the clear-text password so the user can log in with CHAP-MD5 (RFC 1994).</param>
public sealed record CreateUserRequest([property: Required] string Name, [property: Required] string Password, bool ChapMd5 = false);

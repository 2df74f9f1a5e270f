namespace Admin.Api;

/// <summary>
/// Documents a JSON request body that the handler reads itself (<see cref="JsonBody"/>). Deliberately not
/// <c>IAcceptsMetadata</c>: routing would then turn a wrong content type into a bare 415 (or into the /api/v1
/// fallback's 404) before the handler could answer with problem details.
/// </summary>
internal sealed record JsonRequestBodyMetadata(Type BodyType);

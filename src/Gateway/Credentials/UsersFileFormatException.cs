namespace Gateway.Credentials;

/// <summary>The users file is not valid JSON or not in the <see cref="UsersFile"/> format; the message says where.</summary>
public sealed class UsersFileFormatException(string message, Exception? inner = null) : Exception(message, inner);

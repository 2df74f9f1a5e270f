using Gateway;
using Gateway.Credentials;

// `sstp-gateway user ...` edits the users file and exits.
if (args.Length > 0 && args[0] == "user")
{
    var configuration = WebApplication.CreateBuilder(args[1..]).Configuration;
    return UserCommand.Run(args[1..], configuration, Console.Out, Console.Error);
}

// Composition only: each layer's extension methods do the work (GatewayApp).
GatewayApp.Build(args, processWideTls: true).Run();
return 0;

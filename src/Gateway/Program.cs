using Gateway.Edge;

// Composition only: each layer's extension methods do the work.
var builder = WebApplication.CreateBuilder(args);
builder.AddGatewayEdge();

var app = builder.Build();
app.UseGatewayEdge(); // first: the service port ends here (SSTP probe, fallback, 404)
app.MapGatewayHealth(); // management port: /healthz, /readyz
app.Run();

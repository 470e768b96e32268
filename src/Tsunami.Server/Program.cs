using Tsunami.Server;

// Standalone: dotnet Tsunami.Server.dll [--Urls http://127.0.0.1:8000] [--Storage:DataDirectory DIR]; the CLI's
// `tsunami serve` builds the same application.
var app = TsunamiServer.Build(new ServerSettings(), args);
await app.RunAsync();

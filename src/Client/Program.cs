Console.Error.WriteLine("sstp-client: not built yet");
return 2;

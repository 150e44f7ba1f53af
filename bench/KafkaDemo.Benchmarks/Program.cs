using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/KafkaDemo.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

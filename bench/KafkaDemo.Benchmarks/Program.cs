using System.Globalization;
using BenchmarkDotNet.Running;
using KafkaDemo.Benchmarks;

// dotnet run -c Release --project bench/KafkaDemo.Benchmarks -- --filter '*'
// dotnet run -c Release --project bench/KafkaDemo.Benchmarks -- --cpu-time MacBenchmarks EnvelopeBenchmarks
//   (thread CPU time per call instead of wall time: usable while other work loads the machine)
if (args.Length > 0 && args[0] == "--cpu-time")
{
    var calls = int.Parse(Environment.GetEnvironmentVariable("CPU_TIME_CALLS") ?? "100000", CultureInfo.InvariantCulture);
    ThreadCpuTime.Run(args.Skip(1), calls);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace KafkaDemo.Benchmarks;

/// <summary>
/// <c>--cpu-time Class ...</c>: runs the void [Benchmark] methods of the named classes, for every
/// value of their Size parameter, and reports the calling thread's CPU time per call
/// (CLOCK_THREAD_CPUTIME_ID), the minimum and median of 7 batches, after at least a second of warm-up. Wall-clock benchmarks are
/// meaningless while other processes load the machine; the CPU time a thread spends is not, as
/// long as the core's caches are not thrashed. Linux only.
/// </summary>
internal static partial class ThreadCpuTime
{
    private const int ClockThreadCpuTime = 3;
    private const int Batches = 7;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    public static void Run(IEnumerable<string> classNames, int callsPerBatch)
    {
        Console.WriteLine("| class | method | Size | thread CPU ns/call, min | median |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        foreach (var name in classNames)
        {
            var type = typeof(ThreadCpuTime).Assembly.GetTypes().Single(t => t.Name == name);
            var size = type.GetProperty("Size");
            var sizes = size?.GetCustomAttribute<ParamsAttribute>()?.Values ?? [null];
            foreach (var value in sizes)
            {
                var instance = Activator.CreateInstance(type)!;
                size?.SetValue(instance, value);
                Invoke<GlobalSetupAttribute>(type, instance);
                foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null && m.ReturnType == typeof(void)))
                {
                    var call = method.CreateDelegate<Action>(instance);
                    var perCall = Measure(call, callsPerBatch);
                    var description = method.GetCustomAttribute<BenchmarkAttribute>()!.Description ?? method.Name;
                    Console.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"| {type.Name} | {description} | {value} | {perCall.Min():F0} | {perCall.Order().ElementAt(Batches / 2):F0} |"));
                }

                Invoke<GlobalCleanupAttribute>(type, instance);
            }
        }
    }

    private static double[] Measure(Action call, int calls)
    {
        // Warm up for at least WarmUp of wall time, so that the measured batches run the tier-1
        // code: tiered compilation promotes a method only after it has been called 30 times and
        // then 100 ms have passed without new tier-0 code (the runtime's TC_CallCountingDelayMs),
        // and a short run (small sizes, few calls) would otherwise measure tier-0 code.
        var warmUp = Stopwatch.StartNew();
        do
        {
            for (var i = 0; i < calls / 4; i++)
            {
                call();
            }
        }
        while (warmUp.Elapsed < WarmUp);

        var perCall = new double[Batches];
        for (var b = 0; b < Batches; b++)
        {
            var start = Now();
            for (var i = 0; i < calls; i++)
            {
                call();
            }

            perCall[b] = (double)(Now() - start) / calls;
        }

        return perCall;
    }

    private static void Invoke<TAttribute>(Type type, object instance)
        where TAttribute : Attribute
    {
        foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute<TAttribute>() is not null))
        {
            method.Invoke(instance, null);
        }
    }

    private static long Now()
    {
        if (ClockGetTime(ClockThreadCpuTime, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed.");
        }

        return (time.Seconds * 1_000_000_000) + time.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);
}

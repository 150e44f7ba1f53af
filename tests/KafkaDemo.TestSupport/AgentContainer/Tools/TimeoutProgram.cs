using System.Globalization;
using System.Text.RegularExpressions;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// coreutils 9.1 <c>timeout</c> (src/timeout.c): <c>timeout [-k D] [-s SIG] [-v] [--foreground]
/// [--preserve-status] DURATION COMMAND [ARG]...</c>. It puts itself in a new process group, forks
/// the command and waits. When DURATION passes it sends the signal (TERM) to the command and to its
/// group (cleanup: send_sig), and with <c>-k</c> SIGKILL later, which also kills timeout itself
/// (exit status 137 to its parent). A command that ended after the timeout gives 124 (unless
/// --preserve-status); one killed by a signal otherwise gives 128 + the signal; 125 for timeout's
/// own errors, 126/127 when the command cannot be run or found. Durations: a non-negative number
/// with an optional s, m, h or d suffix (parse_duration); 0 disables the timeout.
/// </summary>
internal sealed partial class TimeoutProgram : IContainerProgram
{
    private const int ExitTimedOut = 124;
    private const int ExitCanceled = 125;

    public string Path => "/usr/bin/timeout";

    public async Task<int> RunAsync(ProgramContext context)
    {
        var args = context.Arguments;
        double? killAfter = null;
        var signal = ContainerProcess.SigTerm;
        var verbose = false;
        var foreground = false;
        var preserveStatus = false;
        var i = 0;
        for (; i < args.Count && args[i].StartsWith('-') && args[i] != "-"; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                i++;
                break;
            }

            string? Value(string shortName, string longName)
            {
                if (arg == shortName || arg == longName)
                {
                    return i + 1 < args.Count ? args[++i] : null;
                }

                if (arg.StartsWith(longName + "=", StringComparison.Ordinal))
                {
                    return arg[(longName.Length + 1)..];
                }

                return arg.StartsWith(shortName, StringComparison.Ordinal) && arg.Length > 2 ? arg[2..] : null;
            }

            if (arg.StartsWith("-k", StringComparison.Ordinal) || arg.StartsWith("--kill-after", StringComparison.Ordinal))
            {
                if (Value("-k", "--kill-after") is not { } text || ParseDuration(text) is not { } duration)
                {
                    return await InvalidIntervalAsync(context, arg);
                }

                killAfter = duration;
            }
            else if (arg.StartsWith("-s", StringComparison.Ordinal) || arg.StartsWith("--signal", StringComparison.Ordinal))
            {
                switch (Value("-s", "--signal"))
                {
                    case "TERM" or "SIGTERM" or "15":
                        signal = ContainerProcess.SigTerm;
                        break;
                    case "KILL" or "SIGKILL" or "9":
                        signal = ContainerProcess.SigKill;
                        break;
                    default:
                        return await context.NotModelledAsync($"timeout signal {arg}", ExitCanceled);
                }
            }
            else if (arg is "-v" or "--verbose")
            {
                verbose = true;
            }
            else if (arg == "--foreground")
            {
                foreground = true;
            }
            else if (arg == "--preserve-status")
            {
                preserveStatus = true;
            }
            else
            {
                return await context.NotModelledAsync($"timeout option {arg}", ExitCanceled);
            }
        }

        if (args.Count - i < 2)
        {
            await context.Stderr.WriteAsync("Try 'timeout --help' for more information.\n");
            return ExitCanceled;
        }

        if (ParseDuration(args[i]) is not { } seconds)
        {
            return await InvalidIntervalAsync(context, args[i]);
        }

        var command = args.Skip(i + 1).ToList();
        var lookup = context.Lookup(command[0]);
        if (!lookup.Found)
        {
            // The forked child's execvp failed: "exit like sh, env, nohup" with 127 or 126.
            if (lookup.Gap)
            {
                context.Pod.Programs.RecordGap($"timeout ran {command[0]}, which the stand-in does not emulate: {string.Join(' ', context.Argv)}");
            }

            await context.Stderr.WriteAsync($"timeout: failed to run command {GnuQuote.Quote(context.Environment, command[0])}: {lookup.Error}\n");
            return lookup.Errno == ExecutableLookup.NoSuchFile ? 127 : 126;
        }

        var child = context.StartChild(lookup.Program!, command, new Dictionary<string, string>(context.Environment, StringComparer.Ordinal));
        var timedOut = false;
        using var timers = CancellationTokenSource.CreateLinkedTokenSource(context.Dying);
        var alarm = seconds > 0 ? AlarmAsync() : Task.CompletedTask;

        // timeout.c cleanup(): a SIGTERM to timeout itself is passed on to the command, and timeout
        // waits on (then dies by the same signal); SIGKILL ends timeout at once.
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onSignal = context.Dying.Register(() =>
        {
            if (context.Process.Signal == ContainerProcess.SigTerm)
            {
                Send(ContainerProcess.SigTerm);
            }
            else
            {
                killed.TrySetResult();
            }
        });

        await Task.WhenAny(child.Exited, killed.Task);
        await timers.CancelAsync();
        await alarm;
        if (!child.Exited.IsCompleted)
        {
            return 0; // killed: its parent sees 128 + the signal
        }

        var status = await child.Exited;
        if (timedOut && !preserveStatus)
        {
            return ExitTimedOut;
        }

        return status;

        async Task AlarmAsync()
        {
            try
            {
                await Task.Delay(Seconds(seconds), context.Time, timers.Token);
                timedOut = true;
                if (verbose)
                {
                    await context.Stderr.WriteAsync($"timeout: sending signal {Name(signal)} to command {GnuQuote.Quote(context.Environment, command[0])}\n");
                }

                Send(signal);
                if (killAfter is { } grace && signal != ContainerProcess.SigKill)
                {
                    await Task.Delay(Seconds(grace), context.Time, timers.Token);
                    if (verbose)
                    {
                        await context.Stderr.WriteAsync($"timeout: sending signal KILL to command {GnuQuote.Quote(context.Environment, command[0])}\n");
                    }

                    Send(ContainerProcess.SigKill);
                    if (!foreground)
                    {
                        // send_sig(0, SIGKILL) reaches timeout itself, which cannot ignore it.
                        context.Process.Send(ContainerProcess.SigKill);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The command ended first, or timeout itself was killed.
            }
        }

        void Send(int sig)
        {
            if (foreground)
            {
                child.Send(sig);
            }
            else
            {
                child.SendToGroup(sig);
            }
        }
    }

    private static string Name(int signal) => signal == ContainerProcess.SigKill ? "KILL" : "TERM";

    private static TimeSpan Seconds(double seconds) =>
        seconds >= TimeSpan.MaxValue.TotalSeconds / 2 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(seconds);

    private static async Task<int> InvalidIntervalAsync(ProgramContext context, string text)
    {
        await context.Stderr.WriteAsync($"timeout: invalid time interval {GnuQuote.Quote(context.Environment, text)}\nTry 'timeout --help' for more information.\n");
        return ExitCanceled;
    }

    /// <summary>timeout.c parse_duration: a number (cl_strtod) that is not negative, then at most one of s, m, h, d.</summary>
    internal static double? ParseDuration(string text)
    {
        var match = DurationPattern().Match(text);
        if (!match.Success)
        {
            return null;
        }

        var value = double.Parse(match.Groups["number"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        return value * (match.Groups["suffix"].Value switch { "m" => 60, "h" => 3600, "d" => 86400, _ => 1 });
    }

    [GeneratedRegex(@"\A(?<number>\+?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)(?<suffix>[smhd]?)\z")]
    private static partial Regex DurationPattern();
}

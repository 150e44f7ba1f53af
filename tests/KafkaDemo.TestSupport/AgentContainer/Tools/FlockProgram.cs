using System.Globalization;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// util-linux 2.38.1 <c>flock</c> (sys-utils/flock.c, Debian bookworm): <c>flock [-s|-x] [-n|-w S]
/// [-E CODE] [-o] FILE COMMAND [ARG]...</c>. It opens FILE with O_CREAT (open_file: 66 EX_NOINPUT
/// when it cannot, 73 EX_CANTCREAT on a read-only file system), takes the lock (flock(2)), forks the
/// command with the descriptor inherited (unless -o), waits, and exits with the command's status
/// (128 + the signal when one killed it). With -n a held lock makes it exit at once with the
/// conflict code (1, or -E's); -w waits that long first. The lock stays held while any process that
/// inherited the descriptor runs. A command it cannot run: <c>flock: failed to execute x: No such
/// file or directory</c>, 69 (EX_UNAVAILABLE). Not modelled: -u, -F, -c and a descriptor number.
/// </summary>
internal sealed class FlockProgram : IContainerProgram
{
    private const int ExUsage = 64;
    private const int ExNoInput = 66;
    private const int ExUnavailable = 69;
    private const int ExCantCreate = 73;

    public string Path => "/usr/bin/flock";

    public async Task<int> RunAsync(ProgramContext context)
    {
        var args = context.Arguments;
        if (args.Count < 1)
        {
            await context.Stderr.WriteAsync("flock: not enough arguments\nTry 'flock --help' for more information.\n");
            return ExUsage;
        }

        var exclusive = true;
        var nonBlocking = false;
        TimeSpan? wait = null;
        var conflictExitCode = 1;
        var close = false;
        var verbose = false;
        var i = 0;
        for (; i < args.Count && args[i].StartsWith('-') && args[i].Length > 1; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                i++;
                break;
            }

            switch (arg)
            {
                case "-s" or "--shared":
                    exclusive = false;
                    break;
                case "-x" or "-e" or "--exclusive":
                    exclusive = true;
                    break;
                case "-n" or "--nonblock" or "--nb":
                    nonBlocking = true;
                    break;
                case "-o" or "--close":
                    close = true;
                    break;
                case "--verbose":
                    verbose = true;
                    break;
                case "-E" or "--conflict-exit-code" when i + 1 < args.Count:
                case var e when e.StartsWith("--conflict-exit-code=", StringComparison.Ordinal) || (e.StartsWith("-E", StringComparison.Ordinal) && e.Length > 2):
                    var code = arg.StartsWith("--conflict-exit-code=", StringComparison.Ordinal) ? arg["--conflict-exit-code=".Length..]
                        : arg.Length > 2 && arg.StartsWith("-E", StringComparison.Ordinal) ? arg[2..] : args[++i];
                    if (!int.TryParse(code, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out conflictExitCode))
                    {
                        await context.Stderr.WriteAsync($"flock: invalid exit code: '{code}'\n");
                        return ExUsage;
                    }

                    if (conflictExitCode is < 0 or > 255)
                    {
                        await context.Stderr.WriteAsync("flock: exit code out of range (expected 0 to 255)\n");
                        return ExUsage;
                    }

                    break;
                case "-w" or "--timeout" or "--wait" when i + 1 < args.Count:
                    var seconds = args[++i];
                    if (!double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
                    {
                        await context.Stderr.WriteAsync($"flock: invalid timeout value: '{seconds}'\n");
                        return ExUsage;
                    }

                    wait = TimeSpan.FromSeconds(value);
                    break;
                default:
                    return await context.NotModelledAsync($"flock option {arg}", ExUsage);
            }
        }

        if (args.Count - i < 2)
        {
            return await context.NotModelledAsync(args.Count - i == 1 ? "flock on a descriptor number" : "flock without a file", ExUsage);
        }

        if (args[i + 1] is "-c" or "--command")
        {
            return await context.NotModelledAsync("flock -c (a command through the shell)", ExUsage);
        }

        // flock.c: "-w 0 is equivalent to -n".
        if (wait == TimeSpan.Zero)
        {
            nonBlocking = true;
            wait = null;
        }

        var file = Kubernetes.ContainerFiles.Normalize(args[i], context.WorkingDirectory);
        if (OpenFile(context, file) is { } errno)
        {
            await context.Stderr.WriteAsync($"flock: cannot open lock file {args[i]}: {GnuQuote.Describe(errno)}\n");
            return errno == 30 ? ExCantCreate : ExNoInput;
        }

        var lockFile = nonBlocking
            ? context.Pod.Locks.TryLock(file, exclusive, context.Process)
            : await context.Pod.Locks.LockAsync(file, exclusive, context.Process, wait, context.Time, context.Dying);
        if (lockFile is null)
        {
            if (verbose)
            {
                await context.Stderr.WriteAsync(nonBlocking ? "flock: failed to get lock\n" : "flock: timeout while waiting to get lock\n");
            }

            return conflictExitCode;
        }

        var command = args.Skip(i + 1).ToList();
        var lookup = context.Lookup(command[0]);
        if (!lookup.Found)
        {
            // The forked child's run_program: execvp failed.
            if (lookup.Gap)
            {
                context.Pod.Programs.RecordGap($"flock ran {command[0]}, which the stand-in does not emulate: {string.Join(' ', context.Argv)}");
            }

            await context.Stderr.WriteAsync($"flock: failed to execute {command[0]}: {lookup.Error}\n");
            return ExUnavailable;
        }

        var child = context.StartChild(lookup.Program!, command, new Dictionary<string, string>(context.Environment, StringComparer.Ordinal));
        if (close)
        {
            context.Pod.Locks.Close(lockFile, child);
        }

        return await child.Exited.WaitAsync(context.Dying);
    }

    /// <summary>flock.c open_file: open(O_RDONLY|O_NOCTTY|O_CREAT): a directory opens read-only; the errno otherwise.</summary>
    private static int? OpenFile(ProgramContext context, string file)
    {
        var files = context.Files;
        if (files.DirectoryExists(file) || files.FileExists(file))
        {
            return null;
        }

        var parent = System.IO.Path.GetDirectoryName(file) ?? "/";
        if (!files.DirectoryExists(parent))
        {
            return 2;
        }

        if (!files.IsWritable(file))
        {
            return 30;
        }

        files.WriteAllBytes(file, []);
        return null;
    }
}

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// coreutils 9.1 <c>env</c> (src/env.c main): <c>env [-i] [-u NAME]... [-] [NAME=VALUE]... [COMMAND [ARG]...]</c>.
/// Options stop at the first operand (getopt "+"). Assignments are putenv'd in order; the command
/// replaces env (execvp, same process). Without a command the environment is printed. A command
/// execvp cannot find: <c>env: ‘x’: No such file or directory</c>, exit 127 (126 when it cannot be run).
/// Other options (-C, -S, -0, signal options) are not modelled.
/// </summary>
internal sealed class EnvProgram : IContainerProgram
{
    private const int ExitCanceled = 125;

    public string Path => "/usr/bin/env";

    public async Task<int> RunAsync(ProgramContext context)
    {
        var args = context.Arguments;
        var environment = new Dictionary<string, string>(context.Environment, StringComparer.Ordinal);
        var ignore = false;
        var unset = new List<string>();
        var i = 0;
        for (; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                i++;
                break;
            }

            if (arg is "-i" or "--ignore-environment")
            {
                ignore = true;
            }
            else if (arg == "-u" && i + 1 < args.Count)
            {
                unset.Add(args[++i]);
            }
            else if (arg.StartsWith("-u", StringComparison.Ordinal) && arg.Length > 2)
            {
                unset.Add(arg[2..]);
            }
            else if (arg.StartsWith("--unset=", StringComparison.Ordinal))
            {
                unset.Add(arg["--unset=".Length..]);
            }
            else if (arg.StartsWith('-') && arg != "-")
            {
                return await context.NotModelledAsync($"env option {arg}", ExitCanceled);
            }
            else
            {
                break;
            }
        }

        // env.c: a lone "-" after the options means -i.
        if (i < args.Count && args[i] == "-")
        {
            ignore = true;
            i++;
        }

        if (ignore)
        {
            environment.Clear();
        }
        else
        {
            foreach (var name in unset)
            {
                environment.Remove(name);
            }
        }

        for (; i < args.Count && args[i].Contains('=', StringComparison.Ordinal); i++)
        {
            var equals = args[i].IndexOf('=', StringComparison.Ordinal);
            if (equals == 0)
            {
                return await context.NotModelledAsync("an assignment without a name", ExitCanceled);
            }

            environment[args[i][..equals]] = args[i][(equals + 1)..];
        }

        if (i == args.Count)
        {
            await context.Stdout.WriteAsync(string.Concat(environment.Select(e => $"{e.Key}={e.Value}\n")));
            return 0;
        }

        var command = args.Skip(i).ToList();
        var lookup = context.Pod.Lookup(command[0], environment, context.WorkingDirectory);
        if (!lookup.Found)
        {
            if (lookup.Gap)
            {
                context.Pod.Programs.RecordGap($"env ran {command[0]}, which the stand-in does not emulate: {string.Join(' ', context.Argv)}");
            }

            await context.Stderr.WriteAsync($"env: {GnuQuote.Quote(context.Environment, command[0])}: {lookup.Error}\n");
            return lookup.Errno == ExecutableLookup.NoSuchFile ? 127 : 126;
        }

        return await context.ExecAsync(lookup.Program!, command, environment);
    }
}

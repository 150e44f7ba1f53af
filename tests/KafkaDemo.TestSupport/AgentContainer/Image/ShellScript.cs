using System.Globalization;
using System.Text;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// A shell script as Debian bookworm's <c>/bin/sh</c> (dash 0.5.12) runs it, for the small part of
/// the language the agent image's entrypoint (k3d/agent/idle.sh) uses: comments; <c>set -e</c>,
/// <c>-u</c>; <c>umask</c>; <c>NAME=WORD</c>, with <c>$(cat FILE)</c>; <c>if [ TEST ]; then ... else ... fi</c>;
/// <c>case WORD in PATTERN|PATTERN) ... ;; esac</c> with dash's patterns (<c>*</c>, <c>?</c>,
/// <c>[...]</c>, <c>[!...]</c>); <c>mkdir -p</c>, <c>cp</c>, <c>rm -f</c>, <c>printf</c> and
/// <c>echo</c> with <c>&gt; FILE</c> and <c>&gt;&amp;2</c>; <c>exec</c> of the program it ends as.
/// Words are quoted as sh quotes them ('...', "..." with <c>$NAME</c>, <c>${NAME}</c> and
/// <c>$(...)</c>). Anything else is refused when the script is read (a <see cref="NotSupportedException"/>
/// naming the line), so a change to the script that this interpreter does not follow fails every
/// test that starts the agent's pod. It is stricter than dash where that is simpler: an unquoted
/// expansion in a command's argument (field splitting, globbing) is refused, as is an unquoted glob
/// outside a <c>case</c> pattern.
/// </summary>
internal sealed class ShellScript
{
    private readonly string name;
    private readonly IReadOnlyList<Node> body;

    private ShellScript(string name, IReadOnlyList<Node> body)
    {
        this.name = name;
        this.body = body;
    }

    /// <summary>Reads <paramref name="text"/>; <paramref name="scriptName"/> is <c>$0</c> (dash's messages start with it).</summary>
    /// <exception cref="NotSupportedException">The script uses something this interpreter does not model.</exception>
    public static ShellScript Parse(string scriptName, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.ReplaceLineEndings("\n").Split('\n')
            .Select((line, index) => Lexer.Line(line, index + 1))
            .Where(tokens => tokens.Count > 0)
            .ToList();
        var parser = new Parser(lines);
        var nodes = parser.Block(_ => false);
        if (!parser.AtEnd)
        {
            throw parser.Unsupported("an unexpected word");
        }

        return new ShellScript(scriptName, nodes);
    }

    /// <summary>
    /// Runs the script in a container's environment and files, up to its <c>exec</c>: its exit code
    /// (null when it reached the exec), what it printed, what it would become, and the modes of the
    /// files and directories it made.
    /// </summary>
    public ShellRun Run(IReadOnlyDictionary<string, string> environment, ContainerFiles files)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(files);
        var state = new RunState(name, environment, files);
        try
        {
            state.Execute(body);
            return state.Finish(0, null);
        }
        catch (ScriptExit exit)
        {
            return state.Finish(exit.Code, exit.Exec);
        }
    }

    /// <summary>A word: literal text (quoted or not), variables and command substitutions, in order.</summary>
    private sealed record Word(IReadOnlyList<Part> Parts, int Line)
    {
        /// <summary>The word's text when it is one unquoted literal (a keyword, an operator's operand).</summary>
        public string? Bare => Parts is [Literal { Quoted: false } literal] ? literal.Text : null;

        public bool HasUnquotedExpansion => Parts.Any(p => p is Variable { Quoted: false } or Substitution { Quoted: false });

        public bool HasUnquotedGlob => Parts.Any(p => p is Literal { Quoted: false } l && l.Text.IndexOfAny(['*', '?', '[']) >= 0);
    }

    private abstract record Part(bool Quoted);

    private sealed record Literal(string Text, bool Quoted) : Part(Quoted);

    private sealed record Variable(string Name, bool Quoted) : Part(Quoted);

    /// <summary><c>$(cat FILE)</c>: the only command substitution modelled.</summary>
    private sealed record Substitution(Word File, bool Quoted) : Part(Quoted);

    /// <summary>A token of a line: a word, or an operator (<c>;</c>, <c>;;</c>, <c>)</c>, <c>|</c>, <c>&gt;</c>, <c>&gt;&amp;2</c>).</summary>
    private sealed record Token(Word? Word, string? Operator, int Line);

    private abstract record Node(int Line);

    private sealed record Command(IReadOnlyList<Word> Words, Word? RedirectTo, bool ToStderr, int Line) : Node(Line);

    private sealed record Assignment(string Name, Word Value, int Line) : Node(Line);

    private sealed record If(Command Test, IReadOnlyList<Node> Then, IReadOnlyList<Node> Else, int Line) : Node(Line);

    private sealed record Case(Word Subject, IReadOnlyList<(IReadOnlyList<Word> Patterns, IReadOnlyList<Node> Body)> Clauses, int Line) : Node(Line);

    /// <summary>The commands the script may run (dash builtins and the image's programs).</summary>
    private static readonly HashSet<string> Commands = new(StringComparer.Ordinal) { "set", "umask", "mkdir", "cp", "rm", "printf", "echo", "[", "exec" };

    /// <summary>Splits a line into words and operators, as sh's lexer does for the modelled quoting.</summary>
    private static class Lexer
    {
        public static List<Token> Line(string line, int number)
        {
            var tokens = new List<Token>();
            var position = 0;
            while (true)
            {
                while (position < line.Length && line[position] is ' ' or '\t')
                {
                    position++;
                }

                if (position >= line.Length || line[position] == '#')
                {
                    return tokens;
                }

                var c = line[position];
                if (c == ';')
                {
                    var twice = position + 1 < line.Length && line[position + 1] == ';';
                    tokens.Add(new Token(null, twice ? ";;" : ";", number));
                    position += twice ? 2 : 1;
                }
                else if (c is ')' or '|')
                {
                    tokens.Add(new Token(null, c.ToString(), number));
                    position++;
                }
                else if (c == '>')
                {
                    if (line.AsSpan(position).StartsWith(">&2"))
                    {
                        tokens.Add(new Token(null, ">&2", number));
                        position += 3;
                    }
                    else if (position + 1 < line.Length && line[position + 1] is '>' or '&' or '|')
                    {
                        throw Refuse(number, $"the redirection {line[position..]}");
                    }
                    else
                    {
                        tokens.Add(new Token(null, ">", number));
                        position++;
                    }
                }
                else if (c is '<' or '&' or '(' or '`' or '\\' or '{' or '}')
                {
                    throw Refuse(number, $"'{c}'");
                }
                else
                {
                    var word = ReadWord(line, ref position, number);
                    if (position < line.Length && line[position] is '>' or '<' && word.Bare is { } digits && digits.All(char.IsAsciiDigit))
                    {
                        throw Refuse(number, "a redirection of a numbered file descriptor");
                    }

                    tokens.Add(new Token(word, null, number));
                }
            }
        }

        private static Word ReadWord(string line, ref int position, int number)
        {
            var parts = new List<Part>();
            var literal = new StringBuilder();
            void Flush(bool quoted)
            {
                if (literal.Length > 0)
                {
                    parts.Add(new Literal(literal.ToString(), quoted));
                    literal.Clear();
                }
            }

            while (position < line.Length && line[position] is not (' ' or '\t' or ';' or ')' or '|' or '>' or '<' or '&'))
            {
                var c = line[position];
                switch (c)
                {
                    case '\'':
                        Flush(false);
                        var end = line.IndexOf('\'', position + 1);
                        if (end < 0)
                        {
                            throw Refuse(number, "a quote closed on another line");
                        }

                        parts.Add(new Literal(line[(position + 1)..end], Quoted: true));
                        position = end + 1;
                        break;
                    case '"':
                        Flush(false);
                        position++;
                        ReadDoubleQuoted(line, ref position, number, parts);
                        break;
                    case '$':
                        Flush(false);
                        parts.Add(ReadExpansion(line, ref position, number, quoted: false));
                        break;
                    case '\\' or '`' or '(' or '{' or '}':
                        throw Refuse(number, $"'{c}'");
                    default:
                        literal.Append(c);
                        position++;
                        break;
                }
            }

            Flush(false);
            return new Word(parts, number);
        }

        private static void ReadDoubleQuoted(string line, ref int position, int number, List<Part> parts)
        {
            var literal = new StringBuilder();
            void Flush()
            {
                // An empty "" is still a word (the empty string): keep an empty quoted literal.
                parts.Add(new Literal(literal.ToString(), Quoted: true));
                literal.Clear();
            }

            while (true)
            {
                if (position >= line.Length)
                {
                    throw Refuse(number, "a quote closed on another line");
                }

                var c = line[position];
                if (c == '"')
                {
                    position++;
                    Flush();
                    return;
                }

                if (c == '\\')
                {
                    // In double quotes a backslash quotes only $ ` " \ and a newline.
                    if (position + 1 < line.Length && line[position + 1] is '$' or '`' or '"' or '\\')
                    {
                        literal.Append(line[position + 1]);
                        position += 2;
                        continue;
                    }

                    literal.Append(c);
                    position++;
                    continue;
                }

                if (c == '`')
                {
                    throw Refuse(number, "a backquoted command");
                }

                if (c == '$')
                {
                    Flush();
                    parts.Add(ReadExpansion(line, ref position, number, quoted: true));
                    continue;
                }

                literal.Append(c);
                position++;
            }
        }

        private static Part ReadExpansion(string line, ref int position, int number, bool quoted)
        {
            position++; // $
            if (position < line.Length && line[position] == '(')
            {
                var close = line.IndexOf(')', position);
                if (close < 0 || line.AsSpan(position + 1, close - position - 1).Contains('('))
                {
                    throw Refuse(number, "a command substitution that is not $(cat FILE)");
                }

                var inner = Line(line[(position + 1)..close], number);
                position = close + 1;
                if (inner is not [{ Word.Bare: "cat" }, { Word: { } file }] || file.HasUnquotedExpansion || file.HasUnquotedGlob)
                {
                    throw Refuse(number, "a command substitution that is not $(cat FILE)");
                }

                return new Substitution(file, quoted);
            }

            var braced = position < line.Length && line[position] == '{';
            var start = braced ? position + 1 : position;
            var end = start;
            while (end < line.Length && (char.IsAsciiLetterOrDigit(line[end]) || line[end] == '_'))
            {
                end++;
            }

            if (end == start || char.IsAsciiDigit(line[start]) || (braced && (end >= line.Length || line[end] != '}')))
            {
                throw Refuse(number, "a parameter expansion other than $NAME or ${NAME}");
            }

            position = braced ? end + 1 : end;
            return new Variable(line[start..end], quoted);
        }
    }

    /// <summary>Builds the statements from the lines' tokens.</summary>
    private sealed class Parser(List<List<Token>> lines)
    {
        private int line;
        private int token;

        public bool AtEnd => line >= lines.Count;

        private Token? Peek => AtEnd ? null : lines[line][token];

        private int LineNumber => AtEnd ? (lines.Count == 0 ? 0 : lines[^1][0].Line) : lines[line][0].Line;

        public NotSupportedException Unsupported(string what) => Refuse(LineNumber, what);

        /// <summary>Statements until a line starts with a word <paramref name="stop"/> accepts (not consumed).</summary>
        public List<Node> Block(Func<string, bool> stop)
        {
            var nodes = new List<Node>();
            while (!AtEnd)
            {
                var first = Peek!;
                if (first.Word?.Bare is { } keyword && stop(keyword))
                {
                    return nodes;
                }

                if (first.Operator == ";;")
                {
                    return nodes;
                }

                nodes.Add(Statement());
            }

            return nodes;
        }

        private Node Statement()
        {
            var first = Take();
            switch (first.Word?.Bare)
            {
                case "if":
                    return IfStatement(first.Line);
                case "case":
                    return CaseStatement(first.Line);
                case "then" or "else" or "fi" or "esac" or "in" or "do" or "done" or "while" or "for" or "until":
                    throw Refuse(first.Line, $"'{first.Word!.Bare}' here");
            }

            if (first.Word is null)
            {
                throw Refuse(first.Line, $"'{first.Operator}' here");
            }

            if (first.Word.Parts is [Literal { Quoted: false } head, ..] && head.Text.IndexOf('=', StringComparison.Ordinal) is > 0 and var equals
                && head.Text[..equals].All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !char.IsAsciiDigit(head.Text[0]))
            {
                var value = new List<Part>();
                if (equals + 1 < head.Text.Length)
                {
                    value.Add(new Literal(head.Text[(equals + 1)..], Quoted: false));
                }

                value.AddRange(first.Word.Parts.Skip(1));
                var word = new Word(value, first.Line);
                if (word.HasUnquotedGlob)
                {
                    throw Refuse(first.Line, "an unquoted pattern in an assignment");
                }

                EndOfCommand(allowSemicolon: false);
                return new Assignment(head.Text[..equals], word, first.Line);
            }

            return SimpleCommand(first);
        }

        private Command SimpleCommand(Token first)
        {
            var words = new List<Word> { first.Word! };
            Word? redirect = null;
            var toStderr = false;
            while (!AtLineEnd && Peek!.Word is { } word)
            {
                words.Add(word);
                token++;
            }

            if (!AtLineEnd && Peek!.Operator is ">" or ">&2")
            {
                var op = Take().Operator;
                if (op == ">")
                {
                    redirect = AtLineEnd || Peek!.Word is null ? throw Refuse(first.Line, "'>' without a file") : Take().Word;
                }
                else
                {
                    toStderr = true;
                }
            }

            var name = words[0].Bare ?? throw Refuse(first.Line, "a command name that is not a plain word");
            if (!Commands.Contains(name))
            {
                throw Refuse(first.Line, $"the command {name}");
            }

            foreach (var word in words.Skip(1).Append(redirect).OfType<Word>())
            {
                if (word.HasUnquotedExpansion)
                {
                    throw Refuse(first.Line, "an unquoted expansion in a command (field splitting is not modelled)");
                }

                if (word.HasUnquotedGlob && name != "[")
                {
                    throw Refuse(first.Line, "an unquoted pattern in a command (globbing is not modelled)");
                }
            }

            EndOfCommand(allowSemicolon: true);
            return new Command(words, redirect, toStderr, first.Line);
        }

        private If IfStatement(int number)
        {
            if (AtLineEnd || Peek!.Word?.Bare != "[")
            {
                throw Refuse(number, "an if whose condition is not [ TEST ]");
            }

            var test = SimpleCommand(Take());
            ExpectKeyword("then", number);
            var then = Block(k => k is "else" or "fi");
            var otherwise = new List<Node>();
            if (Peek?.Word?.Bare == "else")
            {
                Take();
                EndOfCommand(allowSemicolon: false);
                otherwise = Block(k => k == "fi");
            }

            ExpectKeyword("fi", number);
            EndOfCommand(allowSemicolon: true);
            return new If(test, then, otherwise, number);
        }

        private Case CaseStatement(int number)
        {
            if (AtLineEnd || Peek!.Word is not { } subject)
            {
                throw Refuse(number, "case without a word");
            }

            token++;
            if (AtLineEnd || Peek!.Word?.Bare != "in")
            {
                throw Refuse(number, "case without in");
            }

            token++;
            EndOfCommand(allowSemicolon: false);
            var clauses = new List<(IReadOnlyList<Word>, IReadOnlyList<Node>)>();
            while (!AtEnd && Peek!.Word?.Bare != "esac")
            {
                var patterns = new List<Word>();
                while (true)
                {
                    if (AtLineEnd || Peek!.Word is not { } pattern)
                    {
                        throw Refuse(LineNumber, "a case pattern");
                    }

                    if (pattern.HasUnquotedExpansion)
                    {
                        throw Refuse(LineNumber, "an unquoted expansion in a case pattern");
                    }

                    patterns.Add(pattern);
                    token++;
                    var op = AtLineEnd ? null : Take().Operator;
                    if (op == ")")
                    {
                        break;
                    }

                    if (op != "|")
                    {
                        throw Refuse(LineNumber, "a case pattern not ended by )");
                    }
                }

                if (AtLineEnd)
                {
                    NextLine();
                }

                var clause = Block(k => k == "esac");
                if (Peek?.Operator != ";;")
                {
                    throw Refuse(LineNumber, "a case clause not ended by ;;");
                }

                token++;
                EndOfCommand(allowSemicolon: false);
                clauses.Add((patterns, clause));
            }

            ExpectKeyword("esac", number);
            EndOfCommand(allowSemicolon: true);
            return new Case(subject, clauses, number);
        }

        private void ExpectKeyword(string keyword, int number)
        {
            if (AtEnd || Peek!.Word?.Bare != keyword)
            {
                throw Refuse(number, $"a statement without its {keyword}");
            }

            token++;
            if (keyword == "then")
            {
                if (AtLineEnd)
                {
                    NextLine();
                }
            }
        }

        /// <summary>After a command: the line ends, or <c>;</c> then the line ends, or <c>;</c> and a keyword follows (<c>; then</c>).</summary>
        private void EndOfCommand(bool allowSemicolon)
        {
            if (AtLineEnd)
            {
                NextLine();
                return;
            }

            if (allowSemicolon && Peek!.Operator == ";")
            {
                token++;
                if (AtLineEnd)
                {
                    NextLine();
                }

                return;
            }

            if (Peek!.Operator == ";;")
            {
                return; // the case clause's end, on the command's line
            }

            throw Refuse(LineNumber, "more than one command on a line");
        }

        private bool AtLineEnd => AtEnd || token >= lines[line].Count;

        private Token Take()
        {
            if (AtLineEnd)
            {
                throw Refuse(LineNumber, "a line that ends too early");
            }

            return lines[line][token++];
        }

        private void NextLine()
        {
            line++;
            token = 0;
        }
    }

    private static NotSupportedException Refuse(int line, string what) =>
        new($"The agent image's entrypoint script uses {what} (line {line}), which the stand-in's sh (AgentContainer/Image/ShellScript.cs) does not model: teach it, or keep the script within it.");

    /// <summary>The script stopped: an exit status, or the program it became.</summary>
    private sealed class ScriptExit(int code, IReadOnlyList<string>? exec) : Exception
    {
        public int Code { get; } = code;

        public IReadOnlyList<string>? Exec { get; } = exec;
    }

    /// <summary>A running script: its variables, options, umask, output and the modes of what it made.</summary>
    private sealed class RunState(string name, IReadOnlyDictionary<string, string> environment, ContainerFiles files)
    {
        private readonly Dictionary<string, string> variables = new(environment, StringComparer.Ordinal);
        private readonly StringBuilder stdout = new();
        private readonly StringBuilder stderr = new();
        private readonly Dictionary<string, int> modes = new(StringComparer.Ordinal);
        private bool errexit;
        private bool nounset;

        /// <summary>The umask dash inherits from the container runtime (runc's default, 0022).</summary>
        private int umask = Convert.ToInt32("022", 8);

        public ShellRun Finish(int code, IReadOnlyList<string>? exec) =>
            new(exec is null ? code : null, stdout.ToString(), stderr.ToString(), exec ?? [], modes);

        public void Execute(IReadOnlyList<Node> nodes)
        {
            foreach (var node in nodes)
            {
                var status = node switch
                {
                    Assignment a => Assign(a),
                    Command c => Run(c),
                    If i => Run(i),
                    Case c => Run(c),
                    _ => throw new InvalidOperationException(node.GetType().Name),
                };
                if (status != 0 && errexit && node is not If)
                {
                    throw new ScriptExit(status, null);
                }
            }
        }

        private int Assign(Assignment assignment)
        {
            var (value, status) = Expand(assignment.Value);
            variables[assignment.Name] = value;
            return status;
        }

        private int Run(If statement)
        {
            // set -e does not apply to the condition of an if (dash: the EV_TESTED flag).
            var condition = Run(statement.Test);
            Execute(condition == 0 ? statement.Then : statement.Else);
            return 0;
        }

        private int Run(Case statement)
        {
            var (subject, _) = Expand(statement.Subject);
            foreach (var (patterns, clause) in statement.Clauses)
            {
                if (patterns.Any(p => Matches(PatternOf(p), subject)))
                {
                    Execute(clause);
                    return 0;
                }
            }

            return 0;
        }

        private int Run(Command command)
        {
            var argv = command.Words.Select(w => Expand(w).Value).ToList();
            var output = new StringBuilder();
            var status = argv[0] switch
            {
                "set" => Set(argv, command.Line),
                "umask" => Umask(argv, command.Line),
                "mkdir" => Mkdir(argv),
                "cp" => Copy(argv),
                "rm" => Remove(argv),
                "printf" => Printf(argv, output),
                "echo" => Echo(argv, output),
                "[" => Test(argv, command.Line),
                "exec" => throw new ScriptExit(0, argv.Skip(1).ToList()),
                _ => throw new InvalidOperationException(argv[0]),
            };
            if (output.Length == 0)
            {
                return status;
            }

            if (command.ToStderr)
            {
                stderr.Append(output);
            }
            else if (command.RedirectTo is { } target)
            {
                var path = Path(Expand(target).Value);
                try
                {
                    var created = !files.FileExists(path);
                    files.WriteAllText(path, output.ToString());
                    if (created)
                    {
                        // dash opens a redirection's new file with O_CREAT and mode 0666, less the umask.
                        modes[path] = Convert.ToInt32("666", 8) & ~umask;
                    }
                }
                catch (ContainerFileException e)
                {
                    // dash's redirection error: "$0: LINE: cannot create FILE: REASON", status 2.
                    stderr.Append(CultureInfo.InvariantCulture, $"{name}: {command.Line}: cannot create {Expand(target).Value}: {e.Description}\n");
                    return 2;
                }
            }
            else
            {
                stdout.Append(output);
            }

            return status;
        }

        private int Set(List<string> argv, int line)
        {
            foreach (var option in argv.Skip(1))
            {
                if (!option.StartsWith('-') || option.Length < 2 || option[1..].Any(c => c is not ('e' or 'u')))
                {
                    throw Refuse(line, $"set {option}");
                }

                errexit |= option.Contains('e', StringComparison.Ordinal);
                nounset |= option.Contains('u', StringComparison.Ordinal);
            }

            return 0;
        }

        private int Umask(List<string> argv, int line)
        {
            if (argv is not [_, var mask] || mask.Length is 0 or > 4 || mask.Any(c => c is < '0' or > '7'))
            {
                throw Refuse(line, "umask other than an octal mask");
            }

            umask = Convert.ToInt32(mask, 8);
            return 0;
        }

        private int Mkdir(List<string> argv)
        {
            if (argv.Count < 3 || argv[1] != "-p" || argv.Skip(2).Any(a => a.StartsWith('-')))
            {
                throw new NotSupportedException($"mkdir {string.Join(' ', argv.Skip(1))}: only mkdir -p DIR... is modelled");
            }

            var status = 0;
            foreach (var directory in argv.Skip(2))
            {
                var path = Path(directory);
                try
                {
                    var created = !files.DirectoryExists(path);
                    files.CreateDirectory(path);
                    if (created)
                    {
                        modes[path] = Convert.ToInt32("777", 8) & ~umask;
                    }
                }
                catch (ContainerFileException e)
                {
                    stderr.Append(CultureInfo.InvariantCulture, $"mkdir: cannot create directory {GnuQuote.Quote(variables, directory)}: {e.Description}\n");
                    status = 1;
                }
            }

            return status;
        }

        private int Copy(List<string> argv)
        {
            if (argv is not [_, var source, var target] || source.StartsWith('-') || target.StartsWith('-'))
            {
                throw new NotSupportedException($"cp {string.Join(' ', argv.Skip(1))}: only cp SOURCE TARGET is modelled");
            }

            byte[] bytes;
            try
            {
                bytes = files.ReadAllBytes(Path(source));
            }
            catch (ContainerFileException e)
            {
                stderr.Append(CultureInfo.InvariantCulture, $"cp: cannot stat {GnuQuote.Quote(variables, source)}: {e.Description}\n");
                return 1;
            }

            var path = Path(target);
            try
            {
                var created = !files.FileExists(path);
                files.WriteAllBytes(path, bytes);
                if (created)
                {
                    // A new file gets the source's mode less the umask: a ConfigMap volume's files are
                    // 0644 (its defaultMode), as the agent's Deployment leaves it.
                    modes[path] = Convert.ToInt32("644", 8) & ~umask;
                }
            }
            catch (ContainerFileException e)
            {
                stderr.Append(CultureInfo.InvariantCulture, $"cp: cannot create regular file {GnuQuote.Quote(variables, target)}: {e.Description}\n");
                return 1;
            }

            return 0;
        }

        private int Remove(List<string> argv)
        {
            if (argv.Count < 3 || argv[1] != "-f" || argv.Skip(2).Any(a => a.StartsWith('-')))
            {
                throw new NotSupportedException($"rm {string.Join(' ', argv.Skip(1))}: only rm -f FILE... is modelled");
            }

            var status = 0;
            foreach (var file in argv.Skip(2))
            {
                var path = Path(file);
                try
                {
                    if (files.FileExists(path))
                    {
                        files.Delete(path);
                        modes.Remove(path);
                    }
                }
                catch (ContainerFileException e)
                {
                    stderr.Append(CultureInfo.InvariantCulture, $"rm: cannot remove {GnuQuote.Quote(variables, file)}: {e.Description}\n");
                    status = 1;
                }
            }

            return status;
        }

        /// <summary>
        /// dash's printf builtin for <c>%s</c>, <c>%%</c> and the escapes <c>\n</c>, <c>\\</c>,
        /// <c>\"</c>: the format is reused while arguments remain (POSIX printf).
        /// </summary>
        private static int Printf(List<string> argv, StringBuilder output)
        {
            if (argv.Count < 2)
            {
                throw new NotSupportedException("printf without a format");
            }

            var format = argv[1];
            var arguments = new Queue<string>(argv.Skip(2));
            do
            {
                for (var i = 0; i < format.Length; i++)
                {
                    var c = format[i];
                    if (c == '%' && i + 1 < format.Length)
                    {
                        i++;
                        output.Append(format[i] switch
                        {
                            's' => arguments.TryDequeue(out var argument) ? argument : "",
                            '%' => "%",
                            _ => throw new NotSupportedException($"printf conversion %{format[i]}"),
                        });
                    }
                    else if (c == '\\' && i + 1 < format.Length)
                    {
                        i++;
                        output.Append(format[i] switch
                        {
                            'n' => "\n",
                            '\\' => "\\",
                            '"' => "\"",
                            _ => throw new NotSupportedException($"printf escape \\{format[i]}"),
                        });
                    }
                    else
                    {
                        output.Append(c);
                    }
                }
            }
            while (arguments.Count > 0 && format.Contains("%s", StringComparison.Ordinal));

            return 0;
        }

        /// <summary>dash's echo: the words and a newline (its backslash escapes are not modelled).</summary>
        private static int Echo(List<string> argv, StringBuilder output)
        {
            if (argv.Skip(1).Any(a => a.Contains('\\', StringComparison.Ordinal)) || argv.ElementAtOrDefault(1) == "-n")
            {
                throw new NotSupportedException("echo with -n or a backslash (dash interprets escapes)");
            }

            output.AppendJoin(' ', argv.Skip(1)).Append('\n');
            return 0;
        }

        /// <summary>dash's test builtin for <c>[ -f|-s|-d|-n|-z WORD ]</c> and <c>[ A = B ]</c>, <c>[ A != B ]</c>.</summary>
        private int Test(List<string> argv, int line)
        {
            if (argv[^1] != "]")
            {
                throw Refuse(line, "[ without ]");
            }

            var operands = argv.Skip(1).SkipLast(1).ToList();
            var result = operands switch
            {
                ["-f", var path] => files.FileExists(Path(path)),
                ["-s", var path] => files.FileExists(Path(path)) && files.ReadAllBytes(Path(path)).Length > 0,
                ["-d", var path] => files.DirectoryExists(Path(path)),
                ["-n", var text] => text.Length > 0,
                ["-z", var text] => text.Length == 0,
                [var a, "=", var b] => a == b,
                [var a, "!=", var b] => a != b,
                _ => throw Refuse(line, $"the test [ {string.Join(' ', operands)} ]"),
            };
            return result ? 0 : 1;
        }

        /// <summary>A word's value (no field splitting: the parser refused where dash would split), and the status of its last command substitution.</summary>
        private (string Value, int Status) Expand(Word word)
        {
            var text = new StringBuilder();
            var status = 0;
            foreach (var part in word.Parts)
            {
                switch (part)
                {
                    case Literal literal:
                        text.Append(literal.Text);
                        break;
                    case Variable variable:
                        if (variables.TryGetValue(variable.Name, out var value))
                        {
                            text.Append(value);
                        }
                        else if (nounset)
                        {
                            // dash: "$0: LINE: NAME: parameter not set", and a non-interactive shell exits 2.
                            stderr.Append(CultureInfo.InvariantCulture, $"{name}: {word.Line}: {variable.Name}: parameter not set\n");
                            throw new ScriptExit(2, null);
                        }

                        break;
                    case Substitution substitution:
                        var file = Expand(substitution.File).Value;
                        try
                        {
                            // $(...) drops every trailing newline.
                            text.Append(files.ReadAllText(Path(file)).TrimEnd('\n'));
                            status = 0;
                        }
                        catch (ContainerFileException e)
                        {
                            stderr.Append(CultureInfo.InvariantCulture, $"cat: {file}: {e.Description}\n");
                            status = 1;
                        }

                        break;
                }
            }

            return (text.ToString(), status);
        }

        /// <summary>A case pattern: its unquoted glob characters are special, quoted text is literal.</summary>
        private List<(char Char, bool Special)> PatternOf(Word word)
        {
            var pattern = new List<(char, bool)>();
            foreach (var part in word.Parts)
            {
                var text = part switch
                {
                    Literal literal => literal.Text,
                    Variable or Substitution => Expand(new Word([part], word.Line)).Value,
                    _ => "",
                };
                pattern.AddRange(text.Select(c => (c, part is Literal { Quoted: false })));
            }

            return pattern;
        }

        private static string Path(string path) => ContainerFiles.Normalize(path, "/");
    }

    /// <summary>fnmatch as dash's pmatch does it: <c>*</c>, <c>?</c>, and bracket expressions with <c>!</c> and ranges (by code point).</summary>
    private static bool Matches(IReadOnlyList<(char Char, bool Special)> pattern, string text) => Match(pattern, 0, text, 0);

    private static bool Match(IReadOnlyList<(char Char, bool Special)> pattern, int p, string text, int t)
    {
        while (p < pattern.Count)
        {
            var (c, special) = pattern[p];
            if (special && c == '*')
            {
                for (var rest = t; rest <= text.Length; rest++)
                {
                    if (Match(pattern, p + 1, text, rest))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (t >= text.Length)
            {
                return false;
            }

            if (special && c == '?')
            {
                p++;
                t++;
                continue;
            }

            if (special && c == '[' && Bracket(pattern, p, text[t]) is { } bracket)
            {
                if (!bracket.Matched)
                {
                    return false;
                }

                p = bracket.Next;
                t++;
                continue;
            }

            if (c != text[t])
            {
                return false;
            }

            p++;
            t++;
        }

        return t == text.Length;
    }

    /// <summary>A bracket expression at <paramref name="start"/>: whether it matches <paramref name="c"/>, and where the pattern goes on; null when it is not closed (then <c>[</c> is literal).</summary>
    private static (bool Matched, int Next)? Bracket(IReadOnlyList<(char Char, bool Special)> pattern, int start, char c)
    {
        var p = start + 1;
        var negate = p < pattern.Count && pattern[p].Char == '!' && pattern[p].Special;
        if (negate)
        {
            p++;
        }

        var matched = false;
        var first = true;
        while (p < pattern.Count)
        {
            var (ch, special) = pattern[p];
            if (ch == ']' && special && !first)
            {
                return (matched != negate, p + 1);
            }

            if (ch == '[' && special && p + 1 < pattern.Count && pattern[p + 1].Char is ':' or '=' or '.')
            {
                throw new NotSupportedException("character classes ([:alpha:]) in a case pattern");
            }

            if (p + 2 < pattern.Count && pattern[p + 1] == ('-', true) && !(pattern[p + 2].Char == ']' && pattern[p + 2].Special))
            {
                matched |= c >= ch && c <= pattern[p + 2].Char;
                p += 3;
            }
            else
            {
                matched |= c == ch;
                p++;
            }

            first = false;
        }

        return null;
    }
}

/// <summary>
/// How the entrypoint script ran: its exit code (null when it reached its <c>exec</c>), what it
/// printed (the container's log), the program it became, and the modes it gave the files and
/// directories it made (path → mode, such as 0600 for llm's keys.json).
/// </summary>
public sealed record ShellRun(int? ExitCode, string Stdout, string Stderr, IReadOnlyList<string> Exec, IReadOnlyDictionary<string, int> Modes);

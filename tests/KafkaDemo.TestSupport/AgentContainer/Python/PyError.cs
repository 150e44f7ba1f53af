namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// A Python exception raised inside an emulated program: its class, its bases (for <c>except</c>
/// clauses) and its message. <see cref="Str"/> is what <c>str(e)</c> gives, which is what vibectl
/// prints and matches on; for a KeyError that is the repr of the message (with quotes).
/// </summary>
internal sealed class PyError : Exception
{
    /// <summary>The bases of the exception classes the emulation raises (builtins, llm, anthropic, openai, click, vibectl).</summary>
    private static readonly Dictionary<string, string> Bases = new(StringComparer.Ordinal)
    {
        ["ValueError"] = "Exception",
        ["KeyError"] = "LookupError",
        ["LookupError"] = "Exception",
        ["TypeError"] = "Exception",
        ["OSError"] = "Exception",
        ["FileNotFoundError"] = "OSError",
        ["JSONDecodeError"] = "ValueError",
        ["RecoverableApiError"] = "ValueError",
        ["ModelError"] = "Exception",
        ["NeedsKeyException"] = "ModelError",
        ["UnknownModelError"] = "KeyError",
        ["ValidationError"] = "ValueError",
        ["MarkupError"] = "Exception",
        ["APIError"] = "Exception",
        ["APIStatusError"] = "APIError",
        ["APIConnectionError"] = "APIError",
        ["BadRequestError"] = "APIStatusError",
        ["AuthenticationError"] = "APIStatusError",
        ["PermissionDeniedError"] = "APIStatusError",
        ["NotFoundError"] = "APIStatusError",
        ["RateLimitError"] = "APIStatusError",
        ["InternalServerError"] = "APIStatusError",
        ["OverloadedError"] = "APIStatusError",
        ["ClickException"] = "Exception",
        ["UsageError"] = "ClickException",
        ["BadParameter"] = "UsageError",
        ["MissingParameter"] = "BadParameter",
        ["NoSuchOption"] = "UsageError",
        ["Abort"] = "RuntimeError",
        ["RuntimeError"] = "Exception",
        ["EOFError"] = "Exception",
    };

    public PyError(string type, string message, PyError? cause = null)
        : base(message, cause)
    {
        Type = type;
    }

    public PyError()
        : this("Exception", "")
    {
    }

    public PyError(string message)
        : this("Exception", message)
    {
    }

    public PyError(string message, Exception innerException)
        : base(message, innerException)
    {
        Type = "Exception";
    }

    /// <summary>The class name, such as <c>ValueError</c>.</summary>
    public string Type { get; } = "Exception";

    /// <summary>str(e): the message, or for a KeyError its repr.</summary>
    public string Str => Is("KeyError") ? PyStr.Repr(Message) : Message;

    /// <summary>Whether <c>except {type}</c> catches it.</summary>
    public bool Is(string type)
    {
        for (var current = Type; current is not null; current = Bases.GetValueOrDefault(current))
        {
            if (current == type)
            {
                return true;
            }
        }

        return type == "Exception";
    }

    public static PyError ValueError(string message, PyError? cause = null) => new("ValueError", message, cause);
}

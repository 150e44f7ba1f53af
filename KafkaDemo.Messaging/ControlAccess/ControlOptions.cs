using System.Text;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Messaging.ControlAccess;

/// <summary>
/// Configuration section <c>Control</c>: the token the mutating endpoints (rate, load,
/// controller, faults) require as <c>Authorization: Bearer &lt;token&gt;</c>. Under the AppHost it is
/// the <c>control-token</c> parameter; standalone, set <c>Control__Token</c> or give a file with
/// <c>--control-token-file</c>. Without a token a service runs only on loopback.
/// </summary>
public sealed class ControlOptions
{
    public const string SectionName = "Control";

    /// <summary>Shortest token accepted, in UTF-8 bytes.</summary>
    public const int MinimumTokenBytes = 16;

    /// <summary>Short command-line switches: <c>--control-token</c> (visible in <c>ps</c>; prefer the file or the environment) and <c>--control-token-file</c>.</summary>
    public static IReadOnlyDictionary<string, string> Switches { get; } = new Dictionary<string, string>
    {
        ["--control-token"] = $"{SectionName}:Token",
        ["--control-token-file"] = $"{SectionName}:TokenFile",
    };

    /// <summary>The token itself.</summary>
    public string Token { get; set; } = "";

    /// <summary>A file holding the token (its first line), instead of <see cref="Token"/>.</summary>
    public string TokenFile { get; set; } = "";

    /// <summary>The token from <see cref="Token"/> or <see cref="TokenFile"/>, or null when none is configured.</summary>
    /// <exception cref="IOException">The token file cannot be read.</exception>
    public string? ResolvedToken() =>
        Token.Length > 0 ? Token
        : TokenFile.Length > 0 ? SecretFile.Read(TokenFile)
        : null;
}

/// <summary>Checks <see cref="ControlOptions"/> at start-up, naming the key at fault.</summary>
public sealed class ControlOptionsValidator : IValidateOptions<ControlOptions>
{
    public ValidateOptionsResult Validate(string? name, ControlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = ControlOptions.SectionName;
        if (options.Token.Length > 0 && options.TokenFile.Length > 0)
        {
            return ValidateOptionsResult.Fail($"Give {S}:Token or {S}:TokenFile, not both.");
        }

        string? token;
        try
        {
            token = options.ResolvedToken();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ValidateOptionsResult.Fail($"{S}:TokenFile '{options.TokenFile}' cannot be read: {ex.Message}");
        }

        var length = token is null ? 0 : Encoding.UTF8.GetByteCount(token);
        return token is null || length >= ControlOptions.MinimumTokenBytes
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"The control token ({(options.Token.Length > 0 ? $"{S}:Token" : $"{S}:TokenFile")}) must be at least {ControlOptions.MinimumTokenBytes} bytes; it has {length}.");
    }
}

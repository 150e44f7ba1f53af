using System.Text;
using KafkaDemo.Messaging.ControlAccess;
using KafkaDemo.Messaging.Envelopes;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Messaging.Hosting;

/// <summary>Configuration section <c>Messaging</c>: what producer and consumer must agree on.</summary>
public sealed class MessagingOptions
{
    public const string SectionName = "Messaging";

    /// <summary>
    /// The shared secret the envelope key is derived from. Give it only to producers and
    /// consumers: whoever holds it can forge messages. The AppHost passes its <c>hmac-secret</c>
    /// parameter in the environment (<c>Messaging__HmacSecret</c>), which, unlike the command
    /// line, other users of the machine cannot read.
    /// </summary>
    public string HmacSecret { get; set; } = "";

    /// <summary>A file holding the secret (its first line), instead of <see cref="HmacSecret"/>.</summary>
    public string HmacSecretFile { get; set; } = "";

    /// <summary>The secret from <see cref="HmacSecret"/> or <see cref="HmacSecretFile"/>.</summary>
    /// <exception cref="IOException">The secret file cannot be read.</exception>
    public string ResolvedSecret() =>
        HmacSecret.Length > 0 ? HmacSecret
        : HmacSecretFile.Length > 0 ? SecretFile.Read(HmacSecretFile)
        : "";
}

/// <summary>Rejects a missing or short secret at start-up, naming the key to set.</summary>
public sealed class MessagingOptionsValidator : IValidateOptions<MessagingOptions>
{
    public ValidateOptionsResult Validate(string? name, MessagingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = MessagingOptions.SectionName;
        if (options.HmacSecret.Length > 0 && options.HmacSecretFile.Length > 0)
        {
            return ValidateOptionsResult.Fail($"Give {S}:HmacSecret or {S}:HmacSecretFile, not both.");
        }

        string secret;
        try
        {
            secret = options.ResolvedSecret();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ValidateOptionsResult.Fail($"{S}:HmacSecretFile '{options.HmacSecretFile}' cannot be read: {ex.Message}");
        }

        var length = Encoding.UTF8.GetByteCount(secret);
        return length >= HmacKey.MinimumSecretBytes
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{S}:{(options.HmacSecretFile.Length > 0 ? "HmacSecretFile" : "HmacSecret")} must hold at least {HmacKey.MinimumSecretBytes} bytes "
                + $"(it has {length}). Under the AppHost it comes from the hmac-secret parameter; standalone, "
                + "set Messaging__HmacSecret in the environment or give a file with --secret-file.");
    }
}

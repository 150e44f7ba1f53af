using System.Text;
using KafkaDemo.Messaging.Envelopes;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Messaging.Hosting;

/// <summary>Configuration section <c>Messaging</c>: what producer and consumer must agree on.</summary>
public sealed class MessagingOptions
{
    public const string SectionName = "Messaging";

    /// <summary>
    /// The shared secret the envelope key is derived from. Give it only to producers and
    /// consumers: whoever holds it can forge messages. The AppHost passes its <c>hmac-secret</c> parameter.
    /// </summary>
    public string HmacSecret { get; set; } = "";
}

/// <summary>Rejects a missing or short secret at start-up, naming the key to set.</summary>
public sealed class MessagingOptionsValidator : IValidateOptions<MessagingOptions>
{
    public ValidateOptionsResult Validate(string? name, MessagingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var length = Encoding.UTF8.GetByteCount(options.HmacSecret ?? "");
        return length >= HmacKey.MinimumSecretBytes
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{MessagingOptions.SectionName}:HmacSecret must be at least {HmacKey.MinimumSecretBytes} bytes "
                + $"(it has {length}). Under the AppHost it comes from the hmac-secret parameter; standalone, "
                + "pass --Messaging:HmacSecret=<secret> or set Messaging__HmacSecret.");
    }
}

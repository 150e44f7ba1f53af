using KafkaDemo.Messaging.Envelopes;
using KafkaDemo.Messaging.Measurement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KafkaDemo.ServiceHosting.Messaging;

public static class MessagingExtensions
{
    /// <summary>
    /// Registers the envelope key (from <c>Messaging:HmacSecret</c> or <c>Messaging:HmacSecretFile</c>, validated at start-up), the
    /// envelope writer and verifier, and the interval clock that closes measurement windows.
    /// </summary>
    public static IHostApplicationBuilder AddEnvelopes(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IValidateOptions<MessagingOptions>, MessagingOptionsValidator>();
        builder.Services.AddOptions<MessagingOptions>()
            .BindConfiguration(MessagingOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => HmacKey.FromSecret(sp.GetRequiredService<IOptions<MessagingOptions>>().Value.ResolvedSecret()));
        builder.Services.AddSingleton<EnvelopeWriter>();
        builder.Services.AddSingleton<EnvelopeVerifier>();
        builder.Services.AddHostedService<IntervalClock>();
        return builder;
    }
}

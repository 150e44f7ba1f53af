using System.Globalization;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>Timestamps as the API server writes them: RFC 3339, UTC, whole seconds.</summary>
internal static class KubeTime
{
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset? Parse(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}

using System.Text;
using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// A Secret's <c>stringData</c> is write-only: the API server merges it into <c>data</c> (base64),
/// overwriting keys of the same name, and never stores it (kubernetes pkg/apis/core/v1/conversion.go,
/// Convert_v1_Secret_To_core_Secret).
/// </summary>
internal static class SecretData
{
    public static void MergeStringData(JsonObject secret)
    {
        if (secret["stringData"] is not JsonObject stringData)
        {
            secret.Remove("stringData");
            return;
        }

        var data = secret["data"] as JsonObject ?? [];
        secret["data"] = data;
        foreach (var (key, value) in stringData)
        {
            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
            data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
        }

        secret.Remove("stringData");
    }
}

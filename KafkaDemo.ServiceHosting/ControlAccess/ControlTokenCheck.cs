using System.Security.Cryptography;
using System.Text;

namespace KafkaDemo.ServiceHosting.ControlAccess;

/// <summary>Compares a presented control token with the configured one, in constant time.</summary>
public static class ControlTokenCheck
{
    /// <summary>
    /// The header that carries the token where <c>Authorization</c> cannot: through the Kubernetes API
    /// server's pod proxy, whose authentication filter removes <c>Authorization</c> once it has
    /// authenticated the caller (k8s.io/apiserver v0.32.13 pkg/endpoints/filters/authentication.go
    /// WithAuthentication: <c>req.Header.Del("Authorization")</c>), and where it would reach the API
    /// server, which must never see the control token.
    /// </summary>
    public const string Header = "X-KafkaDemo-Control-Token";

    /// <summary>
    /// Whether <paramref name="given"/> is the token whose UTF-8 bytes are <paramref name="expected"/>.
    /// Both are hashed first, so the comparison takes the same time whatever their lengths and
    /// wherever they first differ.
    /// </summary>
    public static bool Matches(string? given, byte[] expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        if (string.IsNullOrEmpty(given))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(expected));
    }
}

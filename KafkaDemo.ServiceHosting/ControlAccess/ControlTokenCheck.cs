using System.Security.Cryptography;
using System.Text;

namespace KafkaDemo.ServiceHosting.ControlAccess;

/// <summary>Compares a presented control token with the configured one, in constant time.</summary>
public static class ControlTokenCheck
{
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

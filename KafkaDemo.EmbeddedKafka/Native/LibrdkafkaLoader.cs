using System.Reflection;
using System.Runtime.InteropServices;

namespace KafkaDemo.EmbeddedKafka.Native;

/// <summary>
/// Finds the librdkafka shipped in the librdkafka.redist package for our P/Invoke calls.
/// The generic Linux build needs libsasl2.so.3, which some distributions (Debian 12) lack, so the
/// CentOS 8 build is tried next, in the same order Confluent.Kafka uses.
/// </summary>
internal static class LibrdkafkaLoader
{
    public const string LibraryName = "librdkafka";

    private static int _installed;

    public static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(LibrdkafkaLoader).Assembly, Resolve);
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibraryName)
        {
            return 0;
        }

        var failures = new List<string>();
        foreach (var candidate in Candidates())
        {
            try
            {
                return NativeLibrary.Load(candidate);
            }
            catch (DllNotFoundException ex)
            {
                failures.Add($"  {candidate}: {ex.Message}");
            }
            catch (BadImageFormatException ex)
            {
                failures.Add($"  {candidate}: {ex.Message}");
            }
        }

        throw new DllNotFoundException(
            "The embedded Kafka needs librdkafka (from the librdkafka.redist package) and could not load it. "
            + "Tried:" + Environment.NewLine + string.Join(Environment.NewLine, failures) + Environment.NewLine
            + "On Linux the generic build needs libsasl2.so.3 and the CentOS 8 build needs glibc 2.28 or newer. "
            + "Alternatively run with KafkaDemo:Mode=external against a Kafka cluster of your own.");
    }

    private static IEnumerable<string> Candidates()
    {
        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeFolder(), "native");
        if (OperatingSystem.IsLinux())
        {
            yield return Path.Combine(native, "librdkafka.so");
            yield return Path.Combine(native, "centos8-librdkafka.so");
            yield return Path.Combine(native, "alpine-librdkafka.so");
            yield return "librdkafka.so.1";
        }
        else if (OperatingSystem.IsMacOS())
        {
            yield return Path.Combine(native, "librdkafka.dylib");
            yield return "librdkafka.dylib";
        }
        else if (OperatingSystem.IsWindows())
        {
            yield return Path.Combine(native, "librdkafka.dll");
        }
    }

    private static string RuntimeFolder()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            _ => "x64",
        };
        return $"{os}-{arch}";
    }
}

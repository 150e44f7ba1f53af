using System.Net;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// A fault the fake injects into matching requests: a delay before it is handled, an error answer
/// (a <c>v1.Status</c> with the reason the real server uses for that code), or both.
/// </summary>
public sealed class FaultRule
{
    private int remaining = -1;

    /// <summary>Which requests it affects.</summary>
    public required Func<RecordedRequest, bool> Matches { get; init; }

    /// <summary>The error to answer with; null to only delay.</summary>
    public HttpStatusCode? Status { get; init; }

    public string? Message { get; init; }

    public TimeSpan Delay { get; init; }

    /// <summary>How many matching requests it affects; null for all of them.</summary>
    public int? Times { get; init; }

    /// <summary>
    /// Matches a method ("*" for any) and a path: exact, or a prefix when it ends with <c>*</c>,
    /// such as <c>/apis/kafka.strimzi.io/*</c>.
    /// </summary>
    public static Func<RecordedRequest, bool> Request(string method, string path) => request =>
        (method == "*" || string.Equals(method, request.Method, StringComparison.OrdinalIgnoreCase))
        && (path.EndsWith('*') ? request.Path.StartsWith(path[..^1], StringComparison.Ordinal) : request.Path == path);

    public static FaultRule Error(string method, string path, HttpStatusCode status, int? times = null, string? message = null) =>
        new() { Matches = Request(method, path), Status = status, Times = times, Message = message };

    public static FaultRule Latency(string method, string path, TimeSpan delay, int? times = null) =>
        new() { Matches = Request(method, path), Delay = delay, Times = times };

    /// <summary>Takes one use if the rule applies to the request (thread-safe).</summary>
    internal bool TryUse(RecordedRequest request)
    {
        if (!Matches(request))
        {
            return false;
        }

        if (Times is not { } times)
        {
            return true;
        }

        Interlocked.CompareExchange(ref remaining, times, -1);
        while (true)
        {
            var left = Volatile.Read(ref remaining);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref remaining, left - 1, left) == left)
            {
                return true;
            }
        }
    }
}

namespace KafkaDemo.DeploymentContract.Kubernetes;

/// <summary>
/// A watch that the API server ended without a single event, which is its normal end when nothing
/// changed within its <c>timeoutSeconds</c>: the server's handler returns on the timeout and the
/// response ends with no line (k8s.io/apiserver v0.32.13 pkg/endpoints/handlers/watch.go
/// WatchServer.HandleHTTP, <c>case &lt;-timeoutCh: return</c>; only a watch with
/// <c>allowWatchBookmarks</c> served from the watch cache gets a BOOKMARK 2 s before its deadline,
/// pkg/storage/cacher/cache_watcher.go nextBookmarkTime). KubernetesClient reads a watch's first
/// line before it hands the response back (LineSeparatedHttpContent.SerializeToStreamAsync;
/// PeekableStreamReader.PeekLineAsync throws <see cref="EndOfStreamException"/> at the end of the
/// stream), so that quiet end reaches the caller as an <see cref="HttpRequestException"/> ("Error
/// while copying content to a stream") around it. It is not a failure: watch again from the same version.
/// </summary>
public static class QuietWatchEnd
{
    /// <summary>Whether <paramref name="exception"/> is a watch that ended before its first event.</summary>
    public static bool Is(Exception exception) => exception is HttpRequestException { InnerException: EndOfStreamException };
}

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// A resource URL taken apart: <c>/api/v1[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]</c> and
/// <c>/apis/{group}/{version}[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]</c>, plus the
/// namespace object itself (<c>/api/v1/namespaces/{name}[/status]</c>), the deprecated <c>/watch/</c> prefix,
/// and a namespaced object's <c>/proxy/{path...}</c>, whose path after <c>/proxy</c> is <see cref="Remainder"/>.
/// </summary>
internal sealed record ResourcePath(string Group, string Version, string? Namespace, string Plural, string? Name, string? Subresource, bool WatchPrefix)
{
    /// <summary>For a proxy subresource, the path after it (<c>/metrics</c>, <c>/</c> for a trailing slash, empty for none).</summary>
    public string Remainder { get; init; } = "";

    public static ResourcePath? Parse(string path)
    {
        var segments = path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        string group;
        string version;
        string[] rest;
        if (segments.Length >= 3 && segments[0] == "api")
        {
            (group, version, rest) = ("", segments[1], segments[2..]);
        }
        else if (segments.Length >= 4 && segments[0] == "apis")
        {
            (group, version, rest) = (segments[1], segments[2], segments[3..]);
        }
        else
        {
            return null;
        }

        var watch = rest[0] == "watch";
        if (watch)
        {
            rest = rest[1..];
        }

        if (!watch && rest.Length >= 5 && rest[0] == "namespaces" && rest[4] == "proxy" && rest[..5].All(s => s.Length > 0))
        {
            return new(group, version, rest[1], rest[2], rest[3], "proxy", false) { Remainder = rest.Length > 5 ? "/" + string.Join('/', rest[5..]) : "" };
        }

        if (rest.Length == 0 || rest.Any(s => s.Length == 0))
        {
            return null;
        }

        if (rest[0] == "namespaces")
        {
            return rest.Length switch
            {
                1 => new(group, version, null, "namespaces", null, null, watch),
                2 => new(group, version, null, "namespaces", rest[1], null, watch),
                3 when group.Length == 0 && rest[2] is "status" or "finalize" => new(group, version, null, "namespaces", rest[1], rest[2], watch),
                3 => new(group, version, rest[1], rest[2], null, null, watch),
                4 => new(group, version, rest[1], rest[2], rest[3], null, watch),
                5 => new(group, version, rest[1], rest[2], rest[3], rest[4], watch),
                _ => null,
            };
        }

        return rest.Length switch
        {
            1 => new(group, version, null, rest[0], null, null, watch),
            2 => new(group, version, null, rest[0], rest[1], null, watch),
            3 => new(group, version, null, rest[0], rest[1], rest[2], watch),
            _ => null,
        };
    }
}

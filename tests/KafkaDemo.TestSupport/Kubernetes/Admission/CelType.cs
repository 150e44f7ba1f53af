namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// A CEL type as far as <see cref="CelChecker"/> can tell it, printed as cel-go's FormatCELType prints
/// types (<c>int</c>, <c>list(dyn)</c>, <c>map(string, int)</c>, <c>kubernetes.AdmissionRequest</c>).
/// <see cref="Unknown"/> is the checker's own: a type it cannot work out (for example the result of a
/// function it does not model); nothing is refused because of it.
/// </summary>
internal sealed record CelType(string Kind, CelType? Element = null, CelType? Key = null, string? Name = null, IReadOnlyDictionary<string, CelType>? Fields = null)
{
    public static readonly CelType Bool = new("bool");
    public static readonly CelType Int = new("int");
    public static readonly CelType Uint = new("uint");
    public static readonly CelType Double = new("double");
    public static readonly CelType String = new("string");
    public static readonly CelType Bytes = new("bytes");
    public static readonly CelType Null = new("null_type");
    public static readonly CelType Dyn = new("dyn");
    public static readonly CelType Type = new("type");
    public static readonly CelType Duration = new("google.protobuf.Duration");
    public static readonly CelType Timestamp = new("google.protobuf.Timestamp");
    public static readonly CelType Unknown = new("unknown");

    public static CelType ListOf(CelType element) => new("list", element);

    public static CelType MapOf(CelType key, CelType value) => new("map", value, key);

    public static CelType Object(string name, IReadOnlyDictionary<string, CelType> fields) => new("object", Name: name, Fields: fields);

    public bool IsUnknown => Kind == "unknown" || (Element?.IsUnknown ?? false) || (Key?.IsUnknown ?? false);

    /// <summary>cel-go Type.IsEquivalentType, with an unknown part counting as equivalent (the checker cannot tell).</summary>
    public bool IsEquivalent(CelType other) =>
        IsUnknown || other.IsUnknown
        || (Kind == other.Kind && Name == other.Name
            && (Element is null || Element.IsEquivalent(other.Element!))
            && (Key is null || Key.IsEquivalent(other.Key!)));

    public override string ToString() => Kind switch
    {
        "list" => $"list({Element})",
        "map" => $"map({Key}, {Element})",
        "object" => Name!,
        _ => Kind,
    };
}

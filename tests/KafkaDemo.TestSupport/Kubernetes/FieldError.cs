using System.Globalization;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// One validation error as apimachinery's field.Error has it (pkg/util/validation/field/errors.go): the
/// cause reason (its type), the field path and the body (ErrorBody: the type's text, the bad value as Go
/// prints it, then the detail).
/// </summary>
internal sealed record FieldError(string Reason, string Field, string Body)
{
    /// <summary>field.Invalid with a string value (printed with %q).</summary>
    public static FieldError Invalid(string field, string value, string detail) =>
        new("FieldValueInvalid", field, $"Invalid value: {ApiStatusException.GoQuote(value)}: {detail}");

    /// <summary>field.Invalid with an integer value (printed with %v).</summary>
    public static FieldError Invalid(string field, long value, string detail) =>
        new("FieldValueInvalid", field, $"Invalid value: {value.ToString(CultureInfo.InvariantCulture)}: {detail}");

    /// <summary>field.Required.</summary>
    public static FieldError Required(string field, string detail = "") =>
        new("FieldValueRequired", field, detail.Length == 0 ? "Required value" : $"Required value: {detail}");

    /// <summary>field.NotSupported with the supported values as Go quotes them.</summary>
    public static FieldError NotSupported(string field, string value, IEnumerable<string> supported) =>
        new("FieldValueNotSupported", field, $"Unsupported value: {ApiStatusException.GoQuote(value)}: supported values: {string.Join(", ", supported.Select(ApiStatusException.GoQuote))}");

    /// <summary>field.Error.Error(): the field, then the body.</summary>
    public override string ToString() => $"{Field}: {Body}";
}

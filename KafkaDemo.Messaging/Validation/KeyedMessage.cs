using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace KafkaDemo.Messaging.Validation;

/// <summary>
/// What the attributes in this folder have in common: the options' <c>[OptionsValidator]</c>
/// validators report their <see cref="ValidationAttribute.ErrorMessage"/>, which names the
/// configuration key, with the value found as <c>{0}</c> and the attribute's own arguments after it.
/// </summary>
/// <remarks>
/// Two things in Microsoft.Extensions.Options 10.0 would otherwise lose the key. The generator
/// replaces <see cref="RangeAttribute"/> with a copy that ignores <c>ErrorMessage</c>
/// (dotnet/runtime#123137; Emitter.EmitRangeAttribute formats "The field {0} must be between ..."
/// with the C# member path), so a subclass is used instead, which it keeps as written
/// (Parser.GetMemberInfo substitutes the exact RangeAttribute type only). And
/// <c>ValidateOptionsResultBuilder.AddResult</c> writes "Member: " before a message whose result names
/// a member, as the default <see cref="ValidationAttribute"/> result does; these results name none.
/// <para>
/// Rules no attribute can state (one setting against another, a topic or size spec to parse, a file
/// to read, a rule shared with an API in Messaging/Limits) are written in one way everywhere: the
/// options class implements <see cref="IValidatableObject"/> and returns results without member
/// names, whose messages name the key. The generated validator calls it after the attributes, so
/// every problem still comes back at once, and the rule sits beside the settings it reads. A partial
/// addition to the generated validator cannot do that: the generator writes the whole
/// <c>Validate</c> method and leaves no hook to add to it.
/// </para>
/// </remarks>
internal static class KeyedMessage
{
    public static ValidationResult Result(ValidationAttribute attribute, object? value, params object?[] arguments)
    {
        if (string.IsNullOrEmpty(attribute.ErrorMessage))
        {
            throw new InvalidOperationException($"[{attribute.GetType().Name}] needs an ErrorMessage that names the configuration key.");
        }

        return new ValidationResult(string.Format(CultureInfo.InvariantCulture, attribute.ErrorMessage, [value, .. arguments]));
    }
}

using System.ComponentModel.DataAnnotations;

namespace KafkaDemo.Messaging.Validation;

/// <summary>
/// <see cref="RegularExpressionAttribute"/> (the whole value must match; an empty value passes, so
/// pair it with <see cref="NotBlankAttribute"/>) whose message is its <c>ErrorMessage</c>, with
/// <c>{0}</c> for the value found (see <see cref="KeyedMessage"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class MatchesAttribute(string pattern) : RegularExpressionAttribute(pattern)
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        IsValid(value) ? ValidationResult.Success : KeyedMessage.Result(this, value);
}

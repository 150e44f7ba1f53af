using System.ComponentModel.DataAnnotations;

namespace KafkaDemo.Messaging.Validation;

/// <summary>
/// <see cref="RequiredAttribute"/> (no null, empty or white-space string) whose message is its
/// <c>ErrorMessage</c>, with <c>{0}</c> for the value found (see <see cref="KeyedMessage"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class NotBlankAttribute : RequiredAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        IsValid(value) ? ValidationResult.Success : KeyedMessage.Result(this, value);
}

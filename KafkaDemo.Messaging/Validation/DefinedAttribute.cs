using System.ComponentModel.DataAnnotations;

namespace KafkaDemo.Messaging.Validation;

/// <summary>
/// A named value of its enum (a number such as 99 binds, but names nothing) whose message is its
/// <c>ErrorMessage</c>, with <c>{0}</c> for the value found and <c>{1}</c> for the names
/// (see <see cref="KeyedMessage"/>). <see cref="EnumDataTypeAttribute"/> checks the same, but is sealed.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class DefinedAttribute : ValidationAttribute
{
    public override bool IsValid(object? value) => value is not Enum named || Enum.IsDefined(named.GetType(), named);

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        IsValid(value) ? ValidationResult.Success : KeyedMessage.Result(this, value, string.Join(", ", Enum.GetNames(value!.GetType())));
}

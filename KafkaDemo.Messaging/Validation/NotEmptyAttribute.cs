using System.ComponentModel.DataAnnotations;

namespace KafkaDemo.Messaging.Validation;

/// <summary>
/// A list with at least one entry (<see cref="MinLengthAttribute"/> of 1) whose message is its
/// <c>ErrorMessage</c> (see <see cref="KeyedMessage"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class NotEmptyAttribute : MinLengthAttribute
{
    public NotEmptyAttribute()
        : base(1)
    {
    }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        IsValid(value) ? ValidationResult.Success : KeyedMessage.Result(this, value);
}

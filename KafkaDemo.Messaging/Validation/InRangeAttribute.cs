using System.ComponentModel.DataAnnotations;

namespace KafkaDemo.Messaging.Validation;

/// <summary>
/// <see cref="RangeAttribute"/> whose message is its <c>ErrorMessage</c>: the key, then <c>{1}</c> and
/// <c>{2}</c> for the bounds and <c>{0}</c> for the value found (see <see cref="KeyedMessage"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class InRangeAttribute : RangeAttribute
{
    public InRangeAttribute(int minimum, int maximum)
        : base(minimum, maximum)
    {
    }

    public InRangeAttribute(double minimum, double maximum)
        : base(minimum, maximum)
    {
    }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        IsValid(value) ? ValidationResult.Success : KeyedMessage.Result(this, value, Minimum, Maximum);
}

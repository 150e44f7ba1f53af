using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace KafkaDemo.TestSupport;

/// <summary>What a test checks of an options class's validation attributes: that each message starts with its configuration key.</summary>
public static class OptionsKeys
{
    /// <summary>Every validation attribute on <paramref name="options"/>'s properties.</summary>
    public static IReadOnlyList<(PropertyInfo Property, ValidationAttribute Attribute)> Attributes(Type options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return [.. from property in options.GetProperties()
                   from attribute in property.GetCustomAttributes<ValidationAttribute>()
                   select (property, attribute)];
    }

    /// <summary>The attributes whose ErrorMessage does not start with <c>section:Property</c> and a space, described.</summary>
    public static IEnumerable<string> NotNamingTheirKey(Type options, string section) =>
        from a in Attributes(options)
        where a.Attribute.ErrorMessage?.StartsWith($"{section}:{a.Property.Name} ", StringComparison.Ordinal) != true
        select $"{options.Name}.{a.Property.Name} [{a.Attribute.GetType().Name}]: {a.Attribute.ErrorMessage ?? "no ErrorMessage"}";
}

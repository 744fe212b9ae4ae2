using System.Linq.Expressions;
using System.Reflection;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace Embeddings.VectorData.Internal;

/// <summary>
/// Reads and writes one property of a record through delegates compiled once per record definition, where MEVD's
/// <see cref="PropertyModel.GetValueAsObject"/> goes through reflection on every call. Dynamic
/// (<c>Dictionary&lt;string, object?&gt;</c>) records keep MEVD's accessors, which are dictionary lookups already.
/// </summary>
internal sealed class PropertyAccessor
{
    private readonly PropertyModel _property;
    private readonly Func<object, object?> _get;
    private readonly Action<object, object?>? _set;

    public PropertyAccessor(PropertyModel property)
    {
        _property = property;
        _get = property.GetValueAsObject;
        if (property.PropertyInfo is not { DeclaringType: { } owner } info)
        {
            return;
        }

        ParameterExpression record = Expression.Parameter(typeof(object), "record");
        Expression typed = Expression.Convert(record, owner);
        if (info.GetMethod is { IsStatic: false })
        {
            _get = Expression.Lambda<Func<object, object?>>(Expression.Convert(Expression.Property(typed, info), typeof(object)), record).Compile();
        }

        if (info.SetMethod is { IsStatic: false })
        {
            ParameterExpression value = Expression.Parameter(typeof(object), "value");
            Type type = info.PropertyType;

            // Null into a non-nullable value type writes its default, as PropertyInfo.SetValue does.
            Expression converted = type.IsValueType && Nullable.GetUnderlyingType(type) is null
                ? Expression.Condition(Expression.Equal(value, Expression.Constant(null)), Expression.Default(type), Expression.Convert(value, type))
                : Expression.Convert(value, type);
            _set = Expression.Lambda<Action<object, object?>>(Expression.Assign(Expression.Property(typed, info), converted), record, value).Compile();
        }
    }

    public object? Get(object record) => _get(record);

    public void Set(object record, object? value)
    {
        if (_set is null)
        {
            _property.SetValueAsObject(record, value);
            return;
        }

        try
        {
            _set(record, value);
        }
        catch (InvalidCastException)
        {
            // A value of a convertible type (an int stored for a long): reflection widens it, an unbox does not.
            _property.SetValueAsObject(record, value);
        }
    }
}

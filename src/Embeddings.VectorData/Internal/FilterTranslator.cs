using System.Collections;
using System.Linq.Expressions;
using Microsoft.Extensions.VectorData.ProviderServices;
using Microsoft.Extensions.VectorData.ProviderServices.Filter;

namespace Embeddings.VectorData.Internal;

/// <summary>
/// Compiles MEVD's LINQ filters to a <see cref="FilterPlan"/> that builds our <see cref="MetadataFilter"/> (which
/// every backend evaluates, in process or as SQL). Supported: <c>==</c>, <c>!=</c> (also against null), <c>&lt;</c>,
/// <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c> on numbers, bool properties, <c>&amp;&amp;</c>, <c>||</c>, <c>!</c>,
/// <c>values.Contains(r.Prop)</c>, <c>r.Tags.Contains(value)</c> and <c>r.Tags.Any(t =&gt; values.Contains(t))</c>,
/// with constants, captured variables and members. Anything else is a <see cref="NotSupportedException"/> naming the expression.
/// </summary>
/// <remarks>
/// The plan is compiled against a lambda whose captured objects were replaced by slots of <see cref="FilterShape.Slots"/>
/// (see <see cref="FilterShape"/>), so one plan serves every filter of the same shape, and each run reads the captured
/// variables afresh: a cached plan never freezes a closure's value. Everything that depends on a value (null
/// comparisons, the members of a Contains list, the type check of a comparison) is decided when the plan runs.
/// </remarks>
internal sealed class FilterTranslator : FilterTranslatorBase
{
    // No record has this field, so it admits nothing: the translation of a constant false.
    private static readonly MetadataFilter Nothing = MetadataFilter.Equal("$none", true);

    private static readonly FilterPlan AdmitsAll = _ => null;

    private ParameterExpression _slots = null!;

    /// <summary>Translates a filter once, without caching; <see langword="null"/> when it admits every record.</summary>
    public static MetadataFilter? Translate(LambdaExpression filter, CollectionModel model)
    {
        ArgumentNullException.ThrowIfNull(filter);
        FilterShape shape = FilterShape.Of(filter);
        return Compile(shape.Parameterize(filter), model)(shape.Slots);
    }

    /// <summary>Compiles a filter whose captured objects are read from the slots parameter (<see cref="FilterShape.Parameterize"/>).</summary>
    public static FilterPlan Compile(ParameterizedFilter filter, CollectionModel model)
    {
        var translator = new FilterTranslator { _slots = filter.Slots };
        Expression body = translator.PreprocessFilter(filter.Lambda, model, new FilterPreprocessingOptions { SupportsParameterization = false });
        return translator.Visit(body);
    }

    private FilterPlan Visit(Expression node)
    {
        switch (node)
        {
            case BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.And } conjunction when conjunction.Type == typeof(bool):
                {
                    FilterPlan left = Visit(conjunction.Left), right = Visit(conjunction.Right);
                    return slots =>
                    {
                        MetadataFilter? l = left(slots), r = right(slots);
                        return l is null ? r : r is null ? l : MetadataFilter.And(l, r);
                    };
                }

            case BinaryExpression { NodeType: ExpressionType.OrElse or ExpressionType.Or } disjunction when disjunction.Type == typeof(bool):
                {
                    FilterPlan left = Visit(disjunction.Left), right = Visit(disjunction.Right);
                    return slots =>
                    {
                        MetadataFilter? l = left(slots), r = right(slots);
                        return l is null || r is null ? null : MetadataFilter.Or(l, r);
                    };
                }

            case UnaryExpression { NodeType: ExpressionType.Not } negation when negation.Type == typeof(bool):
                {
                    FilterPlan inner = Visit(negation.Operand);
                    return slots => inner(slots) is { } admitted ? Negate(admitted) : Nothing;
                }

            case BinaryExpression { NodeType: ExpressionType.Equal or ExpressionType.NotEqual } equality:
                return TranslateEquality(equality);

            case BinaryExpression { NodeType: ExpressionType.LessThan or ExpressionType.LessThanOrEqual or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual } comparison:
                return TranslateComparison(comparison);

            case MethodCallExpression call:
                return TranslateCall(call);

            case ConstantExpression { Value: bool value }:
                return value ? AdmitsAll : _ => Nothing;

            default:
                if (node.Type == typeof(bool) && TryBindProperty(node, out PropertyModel? flag))
                {
                    MetadataFilter isTrue = MetadataFilter.Equal(flag.StorageName, true);
                    return _ => isTrue;
                }

                if (node.Type == typeof(bool) && TryCompileValue(node, out Func<object?[], object?>? condition))
                {
                    // A condition that does not touch the record (a captured bool): true admits everything.
                    return slots => condition(slots) is true ? null : Nothing;
                }

                throw Unsupported(node, "this kind of expression has no metadata filter translation");
        }
    }

    private static MetadataFilter Negate(MetadataFilter filter) => filter is MetadataFilter.NotFilter not ? not.Filter : MetadataFilter.Not(filter);

    private FilterPlan TranslateEquality(BinaryExpression node)
    {
        if (!TryBindOneSide(node, out PropertyModel? property, out Func<object?[], object?>? valueOf, out _))
        {
            throw Unsupported(node, "an equality must compare a record property with a value");
        }

        string field = property.StorageName, nullField = RecordCodec.NullField(field);
        bool equal = node.NodeType == ExpressionType.Equal;
        string text = node.ToString();
        return slots =>
        {
            object? value = valueOf(slots);
            MetadataFilter filter = value is null
                ? MetadataFilter.Equal(nullField, true)
                : MetadataFilter.Equal(field, RecordCodec.ToMetadataScalar(value) ?? throw Unsupported(text, $"values of type {value.GetType().Name} cannot be compared"));
            return equal ? filter : Negate(filter);
        };
    }

    private FilterPlan TranslateComparison(BinaryExpression node)
    {
        if (!TryBindOneSide(node, out PropertyModel? property, out Func<object?[], object?>? valueOf, out bool propertyOnLeft))
        {
            throw Unsupported(node, "a comparison must compare a record property with a value");
        }

        ExpressionType op = propertyOnLeft ? node.NodeType : node.NodeType switch
        {
            ExpressionType.LessThan => ExpressionType.GreaterThan,
            ExpressionType.LessThanOrEqual => ExpressionType.GreaterThanOrEqual,
            ExpressionType.GreaterThan => ExpressionType.LessThan,
            _ => ExpressionType.LessThanOrEqual,
        };

        string field = property.StorageName;
        string text = node.ToString();
        return slots =>
        {
            object? value = valueOf(slots);
            if (value is null)
            {
                return Nothing; // a comparison with null is false in C#
            }

            if (RecordCodec.ToMetadataScalar(value) is not (long or double) || value is Enum)
            {
                throw Unsupported(text, $"only numbers can be compared with <, <=, > or >=; got a {value.GetType().Name}");
            }

            double bound = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
            return op switch
            {
                ExpressionType.LessThanOrEqual => MetadataFilter.Range(field, null, bound),
                ExpressionType.GreaterThanOrEqual => MetadataFilter.Range(field, bound, null),

                // Our ranges are inclusive: a strict bound excludes the bound itself.
                ExpressionType.LessThan => MetadataFilter.And(MetadataFilter.Range(field, null, bound), MetadataFilter.Not(MetadataFilter.Equal(field, bound))),
                _ => MetadataFilter.And(MetadataFilter.Range(field, bound, null), MetadataFilter.Not(MetadataFilter.Equal(field, bound))),
            };
        };
    }

    private FilterPlan TranslateCall(MethodCallExpression call)
    {
        string text = call.ToString();
        if (TryMatchContains(call, out Expression? source, out Expression? item))
        {
            // r.Tags.Contains(value): an element of a collection-valued property.
            if (TryBindProperty(source, out PropertyModel? collection))
            {
                if (!TryCompileValue(item, out Func<object?[], object?>? soughtOf))
                {
                    throw Unsupported(call, "the value looked for in a collection property must be a constant or captured variable");
                }

                string name = collection.StorageName;
                return slots => soughtOf(slots) is { } sought ? MetadataFilter.Equal(RecordCodec.ElementField(name, sought), true) : Nothing;
            }

            // values.Contains(r.Prop): membership of a scalar property.
            if (TryBindProperty(item, out PropertyModel? scalar))
            {
                if (!TryCompileValue(source, out Func<object?[], object?>? valuesOf))
                {
                    throw Unsupported(call, "the values of Contains must be an array or list known before the search");
                }

                string name = scalar.StorageName;
                return slots => valuesOf(slots) is IEnumerable sequence
                    ? In(name, sequence, text)
                    : throw Unsupported(text, "the values of Contains must be an array or list known before the search");
            }

            throw Unsupported(call, "Contains must be over a record property or test one");
        }

        // r.Tags.Any(t => values.Contains(t))
        if (call.Method.DeclaringType == typeof(Enumerable) && call.Method.Name == nameof(Enumerable.Any) && call.Arguments.Count == 2
            && TryBindProperty(call.Arguments[0], out PropertyModel? tags)
            && call.Arguments[1] is LambdaExpression { Parameters: [var element], Body: MethodCallExpression inner }
            && TryMatchContains(inner, out Expression? valuesExpression, out Expression? tested)
            && Unwrap(tested) == element)
        {
            if (!TryCompileValue(valuesExpression, out Func<object?[], object?>? valuesOf))
            {
                throw Unsupported(call, "the values inside Any must be an array or list known before the search");
            }

            string name = tags.StorageName;
            return slots =>
            {
                if (valuesOf(slots) is not IEnumerable sequence)
                {
                    throw Unsupported(text, "the values inside Any must be an array or list known before the search");
                }

                MetadataFilter[] any = sequence.Cast<object?>().Where(v => v is not null)
                    .Select(v => MetadataFilter.Equal(RecordCodec.ElementField(name, v!), true)).ToArray();
                return any.Length == 0 ? Nothing : any.Length == 1 ? any[0] : MetadataFilter.Or(any);
            };
        }

        throw Unsupported(call, $"method {call.Method.DeclaringType?.Name}.{call.Method.Name} has no metadata filter translation");
    }

    private static MetadataFilter In(string field, IEnumerable sequence, string node)
    {
        var values = new List<object>();
        bool hasNull = false;
        foreach (object? value in sequence)
        {
            if (value is null)
            {
                hasNull = true;
            }
            else
            {
                values.Add(RecordCodec.ToMetadataScalar(value) ?? throw Unsupported(node, $"values of type {value.GetType().Name} cannot be compared"));
            }
        }

        var parts = new List<MetadataFilter>(2);
        if (values.Count > 0)
        {
            parts.Add(MetadataFilter.In(field, values));
        }

        if (hasNull)
        {
            parts.Add(MetadataFilter.Equal(RecordCodec.NullField(field), true));
        }

        return parts.Count switch
        {
            0 => Nothing,
            1 => parts[0],
            _ => MetadataFilter.Or(parts),
        };
    }

    private bool TryBindOneSide(BinaryExpression node, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PropertyModel? property, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Func<object?[], object?>? value, out bool propertyOnLeft)
    {
        if (TryBindComparedProperty(node.Left, out property, out Type? enumType) && TryCompileValue(node.Right, out value))
        {
            propertyOnLeft = true;
            value = AsEnum(value, enumType);
            return true;
        }

        if (TryBindComparedProperty(node.Right, out property, out enumType) && TryCompileValue(node.Left, out value))
        {
            propertyOnLeft = false;
            value = AsEnum(value, enumType);
            return true;
        }

        property = null;
        value = null;
        propertyOnLeft = false;
        return false;
    }

    // C# compares enums as their underlying integers: r.Colour == Colour.Green is Convert(r.Colour) == 1. The
    // property is bound through the conversion, and the integer turned back into the enum, which metadata holds by name.
    private bool TryBindComparedProperty(Expression side, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PropertyModel? property, out Type? enumType)
    {
        enumType = null;
        if (side is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked, Operand: var operand }
            && (Nullable.GetUnderlyingType(operand.Type) ?? operand.Type) is { IsEnum: true } type)
        {
            enumType = type;
            return TryBindProperty(operand, out property);
        }

        return TryBindProperty(side, out property);
    }

    private static Func<object?[], object?> AsEnum(Func<object?[], object?> value, Type? enumType) =>
        enumType is null ? value : slots => value(slots) is { } number ? Enum.ToObject(enumType, number) : null;

    private static Expression Unwrap(Expression expression)
    {
        while (expression is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert)
        {
            expression = convert.Operand;
        }

        return expression;
    }

    /// <summary>
    /// Compiles a sub-expression that does not touch the record (constants, captured values read from the slots,
    /// <c>new[] { ... }</c>, <c>x.Value</c>) to a function of the slots, run each time the plan runs.
    /// </summary>
    private bool TryCompileValue(Expression expression, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Func<object?[], object?>? value)
    {
        Expression unwrapped = Unwrap(expression);
        if (unwrapped is ConstantExpression constant)
        {
            object? literal = constant.Value;
            value = _ => literal;
            return true;
        }

        if (ParameterFinder.UsesOtherThan(expression, _slots))
        {
            value = null;
            return false;
        }

        value = Expression.Lambda<Func<object?[], object?>>(Expression.Convert(expression, typeof(object)), _slots).Compile();
        return true;
    }

    private static NotSupportedException Unsupported(Expression node, string why) => Unsupported(node.ToString(), why);

    private static NotSupportedException Unsupported(string node, string why) =>
        new($"The filter expression '{node}' cannot be translated to a metadata filter: {why}.");

    private sealed class ParameterFinder(ParameterExpression allowed) : ExpressionVisitor
    {
        private bool _found;

        public static bool UsesOtherThan(Expression expression, ParameterExpression allowed)
        {
            var finder = new ParameterFinder(allowed);
            finder.Visit(expression);
            return finder._found;
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            _found |= node != allowed;
            return node;
        }
    }
}

/// <summary>Builds the metadata filter of one call from the values of the filter's slots; <see langword="null"/> admits every record.</summary>
/// <param name="slots">The filter's captured objects, in <see cref="FilterShape"/> order.</param>
internal delegate MetadataFilter? FilterPlan(object?[] slots);

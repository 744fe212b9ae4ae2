using System.Collections;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.Extensions.VectorData.ProviderServices;
using Microsoft.Extensions.VectorData.ProviderServices.Filter;

namespace Embeddings.VectorData.Internal;

/// <summary>
/// Translates MEVD's LINQ filters to our <see cref="MetadataFilter"/>, which every backend evaluates (in process or
/// as SQL). Supported: <c>==</c>, <c>!=</c> (also against null), <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c> on
/// numbers, bool properties, <c>&amp;&amp;</c>, <c>||</c>, <c>!</c>, <c>values.Contains(r.Prop)</c>,
/// <c>r.Tags.Contains(value)</c> and <c>r.Tags.Any(t =&gt; values.Contains(t))</c>, with constants, captured variables
/// and members. Anything else is a <see cref="NotSupportedException"/> naming the expression.
/// </summary>
internal sealed class FilterTranslator : FilterTranslatorBase
{
    // No record has this field, so it admits nothing: the translation of a constant false.
    private static readonly MetadataFilter Nothing = MetadataFilter.Equal("$none", true);

    /// <summary>Translates a filter; <see langword="null"/> when it admits every record.</summary>
    public MetadataFilter? Translate(LambdaExpression filter, CollectionModel model)
    {
        ArgumentNullException.ThrowIfNull(filter);
        Expression body = PreprocessFilter(filter, model, new FilterPreprocessingOptions { SupportsParameterization = false });
        return Visit(body);
    }

    private MetadataFilter? Visit(Expression node)
    {
        switch (node)
        {
            case BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.And } conjunction when conjunction.Type == typeof(bool):
                {
                    MetadataFilter? left = Visit(conjunction.Left), right = Visit(conjunction.Right);
                    return left is null ? right : right is null ? left : MetadataFilter.And(left, right);
                }

            case BinaryExpression { NodeType: ExpressionType.OrElse or ExpressionType.Or } disjunction when disjunction.Type == typeof(bool):
                {
                    MetadataFilter? left = Visit(disjunction.Left), right = Visit(disjunction.Right);
                    return left is null || right is null ? null : MetadataFilter.Or(left, right);
                }

            case UnaryExpression { NodeType: ExpressionType.Not } negation when negation.Type == typeof(bool):
                return Visit(negation.Operand) is { } inner ? Negate(inner) : Nothing;

            case BinaryExpression { NodeType: ExpressionType.Equal or ExpressionType.NotEqual } equality:
                return TranslateEquality(equality);

            case BinaryExpression { NodeType: ExpressionType.LessThan or ExpressionType.LessThanOrEqual or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual } comparison:
                return TranslateComparison(comparison);

            case MethodCallExpression call:
                return TranslateCall(call);

            case ConstantExpression { Value: bool value }:
                return value ? null : Nothing;

            default:
                if (node.Type == typeof(bool) && TryBindProperty(node, out PropertyModel? flag))
                {
                    return MetadataFilter.Equal(flag.StorageName, true);
                }

                throw Unsupported(node, "this kind of expression has no metadata filter translation");
        }
    }

    private static MetadataFilter Negate(MetadataFilter filter) => filter is MetadataFilter.NotFilter not ? not.Filter : MetadataFilter.Not(filter);

    private MetadataFilter TranslateEquality(BinaryExpression node)
    {
        if (!TryBindOneSide(node, out PropertyModel? property, out object? value, out _))
        {
            throw Unsupported(node, "an equality must compare a record property with a value");
        }

        MetadataFilter equal;
        if (value is null)
        {
            equal = MetadataFilter.Equal(RecordCodec.NullField(property.StorageName), true);
        }
        else
        {
            object scalar = RecordCodec.ToMetadataScalar(value) ?? throw Unsupported(node, $"values of type {value.GetType().Name} cannot be compared");
            equal = MetadataFilter.Equal(property.StorageName, scalar);
        }

        return node.NodeType == ExpressionType.Equal ? equal : Negate(equal);
    }

    private MetadataFilter TranslateComparison(BinaryExpression node)
    {
        if (!TryBindOneSide(node, out PropertyModel? property, out object? value, out bool propertyOnLeft))
        {
            throw Unsupported(node, "a comparison must compare a record property with a value");
        }

        if (value is null)
        {
            return Nothing; // a comparison with null is false in C#
        }

        if (RecordCodec.ToMetadataScalar(value) is not (long or double) || value is Enum)
        {
            throw Unsupported(node, $"only numbers can be compared with <, <=, > or >=; got a {value.GetType().Name}");
        }

        double bound = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
        ExpressionType op = propertyOnLeft ? node.NodeType : node.NodeType switch
        {
            ExpressionType.LessThan => ExpressionType.GreaterThan,
            ExpressionType.LessThanOrEqual => ExpressionType.GreaterThanOrEqual,
            ExpressionType.GreaterThan => ExpressionType.LessThan,
            _ => ExpressionType.LessThanOrEqual,
        };

        string field = property.StorageName;
        return op switch
        {
            ExpressionType.LessThanOrEqual => MetadataFilter.Range(field, null, bound),
            ExpressionType.GreaterThanOrEqual => MetadataFilter.Range(field, bound, null),

            // Our ranges are inclusive: a strict bound excludes the bound itself.
            ExpressionType.LessThan => MetadataFilter.And(MetadataFilter.Range(field, null, bound), MetadataFilter.Not(MetadataFilter.Equal(field, bound))),
            _ => MetadataFilter.And(MetadataFilter.Range(field, bound, null), MetadataFilter.Not(MetadataFilter.Equal(field, bound))),
        };
    }

    private MetadataFilter TranslateCall(MethodCallExpression call)
    {
        if (TryMatchContains(call, out Expression? source, out Expression? item))
        {
            // r.Tags.Contains(value): an element of a collection-valued property.
            if (TryBindProperty(source, out PropertyModel? collection))
            {
                if (!TryEvaluate(item, out object? sought))
                {
                    throw Unsupported(call, "the value looked for in a collection property must be a constant or captured variable");
                }

                return sought is null ? Nothing : MetadataFilter.Equal(RecordCodec.ElementField(collection.StorageName, sought), true);
            }

            // values.Contains(r.Prop): membership of a scalar property.
            if (TryBindProperty(item, out PropertyModel? scalar))
            {
                if (!TryEvaluate(source, out object? values) || values is not IEnumerable sequence)
                {
                    throw Unsupported(call, "the values of Contains must be an array or list known before the search");
                }

                return In(scalar.StorageName, sequence, call);
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
            if (!TryEvaluate(valuesExpression, out object? values) || values is not IEnumerable sequence)
            {
                throw Unsupported(call, "the values inside Any must be an array or list known before the search");
            }

            MetadataFilter[] any = sequence.Cast<object?>().Where(v => v is not null)
                .Select(v => MetadataFilter.Equal(RecordCodec.ElementField(tags.StorageName, v!), true)).ToArray();
            return any.Length == 0 ? Nothing : any.Length == 1 ? any[0] : MetadataFilter.Or(any);
        }

        throw Unsupported(call, $"method {call.Method.DeclaringType?.Name}.{call.Method.Name} has no metadata filter translation");
    }

    private static MetadataFilter In(string field, IEnumerable sequence, Expression node)
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

    private bool TryBindOneSide(BinaryExpression node, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PropertyModel? property, out object? value, out bool propertyOnLeft)
    {
        if (TryBindProperty(node.Left, out property) && TryEvaluate(node.Right, out value))
        {
            propertyOnLeft = true;
            return true;
        }

        if (TryBindProperty(node.Right, out property) && TryEvaluate(node.Left, out value))
        {
            propertyOnLeft = false;
            return true;
        }

        property = null;
        value = null;
        propertyOnLeft = false;
        return false;
    }

    private static Expression Unwrap(Expression expression)
    {
        while (expression is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert)
        {
            expression = convert.Operand;
        }

        return expression;
    }

    /// <summary>Evaluates a sub-expression that does not touch the record (constants, captured values, <c>new[] { ... }</c>, <c>x.Value</c>).</summary>
    private static bool TryEvaluate(Expression expression, out object? value)
    {
        Expression unwrapped = Unwrap(expression);
        if (unwrapped is ConstantExpression constant)
        {
            value = constant.Value;
            return true;
        }

        if (ParameterFinder.Uses(expression))
        {
            value = null;
            return false;
        }

        try
        {
            value = Expression.Lambda<Func<object?>>(Expression.Convert(expression, typeof(object))).Compile(preferInterpretation: true)();
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }

        return true;
    }

    private static NotSupportedException Unsupported(Expression node, string why) =>
        new($"The filter expression '{node}' cannot be translated to a metadata filter: {why}.");

    private sealed class ParameterFinder : ExpressionVisitor
    {
        private bool _found;

        public static bool Uses(Expression expression)
        {
            var finder = new ParameterFinder();
            finder.Visit(expression);
            return finder._found;
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            _found = true;
            return node;
        }
    }
}

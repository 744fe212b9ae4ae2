using System.Collections.Concurrent;
using System.Linq.Expressions;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace Embeddings.VectorData.Internal;

/// <summary>
/// Translates a collection's LINQ filters through plans compiled once per <see cref="FilterShape"/>: preprocessing,
/// binding and compiling the value readers happen on the first call of a shape; later calls only read the captured
/// variables and build the <see cref="MetadataFilter"/>.
/// </summary>
internal sealed class FilterCache(CollectionModel model)
{
    // Bounds the cache for apps that build a new expression shape per call (Expression.Constant of changing objects is
    // a slot, but new literal values are new shapes); past it, new shapes are compiled and not kept.
    internal const int Capacity = 256;

    private readonly ConcurrentDictionary<FilterShape, FilterPlan> _plans = new();

    /// <summary>Gets the number of shapes with a cached plan (for tests).</summary>
    internal int Count => _plans.Count;

    public MetadataFilter? Translate(LambdaExpression filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        FilterShape shape = FilterShape.Of(filter);
        if (!shape.IsCacheable)
        {
            return FilterTranslator.Compile(shape.Parameterize(filter), model)(shape.Slots);
        }

        if (!_plans.TryGetValue(shape, out FilterPlan? plan))
        {
            plan = FilterTranslator.Compile(shape.Parameterize(filter), model);
            if (_plans.Count < Capacity)
            {
                plan = _plans.GetOrAdd(shape, plan);
            }
        }

        return plan(shape.Slots);
    }
}

namespace Embeddings.PgVector;

/// <summary>
/// Translates a <see cref="MetadataFilter"/> to a SQL condition over the jsonb <c>metadata</c> column. Field names
/// and values travel as parameters; the text holds only operators and placeholders. Every leaf is wrapped in
/// <c>COALESCE(..., false)</c> so a missing field or SQL NULL behaves as <see cref="MetadataFilter.Matches(IReadOnlyDictionary{string, object?})"/> does
/// (not admitted, and admitted under <c>Not</c>).
/// </summary>
internal static class MetadataFilterSql
{
    /// <summary>Builds the condition.</summary>
    /// <param name="filter">The filter.</param>
    /// <param name="parameters">Where the values go.</param>
    /// <returns>The SQL condition.</returns>
    public static string Translate(MetadataFilter filter, SqlParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return filter switch
        {
            MetadataFilter.EqualFilter equal => Equal(equal.Field, equal.Value, parameters),
            MetadataFilter.InFilter inFilter => In(inFilter, parameters),
            MetadataFilter.RangeFilter range => Range(range, parameters),
            MetadataFilter.AndFilter and => "(" + string.Join(" AND ", and.Filters.Select(f => Translate(f, parameters))) + ")",
            MetadataFilter.OrFilter or => "(" + string.Join(" OR ", or.Filters.Select(f => Translate(f, parameters))) + ")",
            MetadataFilter.NotFilter not => "(NOT " + Translate(not.Filter, parameters) + ")",
            _ => throw new NotSupportedException($"Metadata filter {filter.GetType().Name} has no SQL translation."),
        };
    }

    private static string Equal(string field, object value, SqlParameters parameters)
    {
        if (value is double d && !double.IsFinite(d))
        {
            return "false"; // jsonb holds no NaN or infinity, so nothing can equal one
        }

        // Containment is what the jsonb_path_ops GIN index serves; on scalars it compares numbers numerically (2 = 2.0).
        return $"COALESCE(metadata @> {parameters.Add(MetadataJson.SerializeContainment(field, value))}::jsonb, false)";
    }

    private static string In(MetadataFilter.InFilter filter, SqlParameters parameters)
    {
        string[] values = filter.Values.Select(MetadataJson.SerializeScalar).OfType<string>().ToArray();
        if (values.Length == 0)
        {
            return "false";
        }

        return $"COALESCE((metadata -> {parameters.Add(filter.Field)}::text) = ANY ({parameters.Add(values)}::text[]::jsonb[]), false)";
    }

    private static string Range(MetadataFilter.RangeFilter range, SqlParameters parameters)
    {
        string field = parameters.Add(range.Field);
        var bounds = new List<string>(2);
        string number = $"(metadata ->> {field}::text)::float8";
        if (range.Min is double min)
        {
            bounds.Add($"{number} >= {parameters.Add(min)}::float8");
        }

        if (range.Max is double max)
        {
            bounds.Add($"{number} <= {parameters.Add(max)}::float8");
        }

        // CASE, not AND: SQL does not promise to test the type before it casts.
        return $"COALESCE(CASE WHEN jsonb_typeof(metadata -> {field}::text) = 'number' THEN {string.Join(" AND ", bounds)} END, false)";
    }
}

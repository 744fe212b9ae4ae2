using Npgsql;

namespace Embeddings.PgVector;

/// <summary>Positional parameters (<c>$1</c>, <c>$2</c>, ...) collected while SQL text is built, so values never enter the text.</summary>
internal sealed class SqlParameters
{
    private readonly List<NpgsqlParameter> _parameters = [];

    /// <summary>Adds a value and returns its placeholder.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The placeholder, such as <c>$3</c>.</returns>
    public string Add(object value)
    {
        _parameters.Add(new NpgsqlParameter { Value = value });
        return "$" + _parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Copies the parameters onto a command, in order.</summary>
    /// <param name="target">The command's parameter collection.</param>
    public void CopyTo(NpgsqlParameterCollection target)
    {
        foreach (NpgsqlParameter parameter in _parameters)
        {
            target.Add(parameter.Clone());
        }
    }
}

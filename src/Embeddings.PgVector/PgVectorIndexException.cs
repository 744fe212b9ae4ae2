namespace Embeddings.PgVector;

/// <summary>
/// A pgvector index operation failed on the server or on the way to it, after any retries. The message names the
/// collection, the operation, the SQL state and, for loads, how many records were committed before the failure.
/// </summary>
public sealed class PgVectorIndexException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PgVectorIndexException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public PgVectorIndexException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The failure.</param>
    public PgVectorIndexException(string message, Exception innerException)
        : base(message, innerException)
    {
        SqlState = TransientFailures.SqlStateOf(innerException);
    }

    /// <summary>Creates the exception for a load that stopped part way.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The failure.</param>
    /// <param name="committedRecords">The records committed before the failing batch.</param>
    /// <param name="attempts">How many times the failing batch was tried.</param>
    public PgVectorIndexException(string message, Exception innerException, long committedRecords, int attempts)
        : this(message, innerException)
    {
        CommittedRecords = committedRecords;
        Attempts = attempts;
    }

    /// <summary>Gets the PostgreSQL SQL state (for example <c>42P01</c> or <c>08006</c>), or <see langword="null"/> when the failure had none (a broken connection).</summary>
    public string? SqlState { get; }

    /// <summary>Gets how many records of a load were committed before the failing batch; its batches are all-or-nothing, so none of the failing one is visible.</summary>
    public long CommittedRecords { get; }

    /// <summary>Gets how many times the failing operation was tried, retries included.</summary>
    public int Attempts { get; }
}

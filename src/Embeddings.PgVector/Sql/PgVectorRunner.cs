using Npgsql;
using Polly;

namespace Embeddings.PgVector;

/// <summary>
/// Runs one operation of a collection on a fresh pooled connection under the retry pipeline, and turns what
/// outlasts the retries into a <see cref="PgVectorIndexException"/> that names the operation and the collection.
/// </summary>
internal sealed class PgVectorRunner
{
    private readonly NpgsqlDataSource _dataSource;

    public PgVectorRunner(NpgsqlDataSource dataSource, PgVectorRetryOptions retry, string description)
    {
        _dataSource = dataSource;
        Retry = TransientFailures.Build(retry);
        Description = description;
    }

    /// <summary>Gets the retry pipeline, for callers that count attempts themselves (bulk loads).</summary>
    public ResiliencePipeline Retry { get; }

    /// <summary>Gets the collection's name for messages, such as <c>pgvector collection 'public.docs'</c>.</summary>
    public string Description { get; }

    /// <summary>Describes the SQL state of a failure for a message.</summary>
    /// <param name="exception">The failure.</param>
    /// <returns>A phrase such as <c>SQL state 42P01</c>.</returns>
    public static string StateOf(Exception exception) =>
        TransientFailures.SqlStateOf(exception) is { } state ? $"SQL state {state}" : "no SQL state (the connection failed)";

    /// <summary>Opens a connection from the pool.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The open connection.</returns>
    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>Runs <paramref name="action"/> on its own connection, again on a transient failure.</summary>
    /// <typeparam name="T">The result.</typeparam>
    /// <param name="operation">What is done, for the message: "count records".</param>
    /// <param name="action">The work; every attempt gets a new connection, since a failed one may be broken.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result.</returns>
    public async Task<T> RunAsync<T>(string operation, Func<NpgsqlConnection, CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await Retry.ExecuteAsync(
                async ct =>
                {
                    await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                    return await action(connection, ct).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PgVectorIndexException($"Could not {operation} on {Description}: {ex.Message} [{StateOf(ex)}].", ex);
        }
    }

    /// <summary>Runs <paramref name="action"/> on its own connection, again on a transient failure.</summary>
    /// <param name="operation">What is done, for the message.</param>
    /// <param name="action">The work.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes with the work.</returns>
    public Task RunAsync(string operation, Func<NpgsqlConnection, CancellationToken, Task> action, CancellationToken cancellationToken) =>
        RunAsync<bool>(
            operation,
            async (connection, ct) =>
            {
                await action(connection, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    /// <summary>Runs each statement in order on <paramref name="connection"/>, with no command timeout (index builds take long).</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="transaction">The transaction.</param>
    /// <param name="statements">The statements.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when all ran.</returns>
    public static async Task ExecuteAllAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IEnumerable<string> statements, CancellationToken cancellationToken)
    {
        foreach (string statement in statements)
        {
            await using var command = new NpgsqlCommand(statement, connection, transaction) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}

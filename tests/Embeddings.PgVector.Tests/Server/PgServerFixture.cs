using System.Globalization;
using Npgsql;

namespace Embeddings.PgVector.Tests.Server;

/// <summary>
/// The PostgreSQL server the tests run against: the one <c>EMBEDDINGS_PG_CONNECTION</c> names (a native PostgreSQL
/// with pgvector), or else one PGlite server started for the whole test collection. The tests themselves know
/// nothing about which one it is.
/// </summary>
public sealed class PgServerFixture : IAsyncLifetime
{
    private static int s_collectionCounter;
    private readonly List<string> _collections = [];
    private PgliteServer? _server;

    /// <summary>Gets the connection string of the server, as given (no pool settings).</summary>
    public string ServerConnectionString { get; private set; } = string.Empty;

    /// <summary>Gets the data source the tests use: a pool of one connection, without reset on close.</summary>
    public NpgsqlDataSource DataSource { get; private set; } = null!;

    /// <summary>Gets the connection string behind <see cref="DataSource"/>.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Gets a value indicating whether the server came from <c>EMBEDDINGS_PG_CONNECTION</c>.</summary>
    public bool IsExternal { get; private set; }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        string? external = Environment.GetEnvironmentVariable("EMBEDDINGS_PG_CONNECTION");
        if (!string.IsNullOrWhiteSpace(external))
        {
            IsExternal = true;
            ServerConnectionString = external;
        }
        else
        {
            _server = await PgliteServer.StartAsync().ConfigureAwait(false);
            ServerConnectionString = _server.ConnectionString;
        }

        ConnectionString = WithTestPool(ServerConnectionString);
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    /// <summary>Adds the test pool settings to a connection string: one pooled connection (no statement-name or session-state collisions), no DISCARD ALL on reuse, generous timeouts.</summary>
    /// <param name="connectionString">The server's connection string.</param>
    /// <returns>The connection string for tests.</returns>
    public static string WithTestPool(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString)
    {
        MaxPoolSize = 1,
        NoResetOnClose = true,
        Timeout = 60,
        CommandTimeout = 300,
    }.ConnectionString;

    /// <summary>Returns a collection name no other test uses, and drops it when the fixture is disposed.</summary>
    /// <param name="prefix">A readable prefix.</param>
    /// <returns>The name.</returns>
    public string NewCollection(string prefix)
    {
        int n = Interlocked.Increment(ref s_collectionCounter);
        string name = string.Create(CultureInfo.InvariantCulture, $"{prefix}_{Environment.ProcessId % 10000}_{n}");
        lock (_collections)
        {
            _collections.Add(name);
        }

        return name;
    }

    /// <summary>Options for a new collection on this server.</summary>
    /// <param name="prefix">A readable prefix for the collection name.</param>
    /// <param name="dimensions">The vector length.</param>
    /// <param name="metric">The metric.</param>
    /// <returns>The options.</returns>
    public PgVectorIndexOptions NewOptions(string prefix, int dimensions, DistanceMetric metric = DistanceMetric.Cosine) => new()
    {
        Collection = NewCollection(prefix),
        Dimensions = dimensions,
        Metric = metric,
        Retry = { Delay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200) },
    };

    /// <summary>Runs one SQL statement and returns the first column of the first row.</summary>
    /// <param name="sql">The statement.</param>
    /// <param name="parameters">Positional parameter values.</param>
    /// <returns>The value, or <see langword="null"/>.</returns>
    public async Task<object?> ScalarAsync(string sql, params object[] parameters)
    {
        await using NpgsqlConnection connection = await DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (object parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        object? value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (IsExternal && DataSource is not null)
        {
            string[] names;
            lock (_collections)
            {
                names = [.. _collections];
            }

            foreach (string name in names)
            {
                try
                {
                    await ScalarAsync($"DROP TABLE IF EXISTS public.\"{name}\"");
                    await ScalarAsync("DELETE FROM public.embeddings_collections WHERE name = $1", name);
                }
                catch (PostgresException)
                {
                    // Best effort: a test may already have dropped it.
                }
            }
        }

        if (DataSource is not null)
        {
            await DataSource.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

using Microsoft.Extensions.AI;
using Npgsql;

namespace Embeddings.VectorData;

/// <summary>Settings of an <see cref="EmbeddingsVectorStore"/>.</summary>
public sealed class EmbeddingsVectorStoreOptions
{
    /// <summary>
    /// Gets or sets the folder in-process collections are saved to, one subfolder per collection, each saved
    /// atomically and reloaded when the store opens it again. Default: <see langword="null"/>, kept in memory only.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>
    /// Gets or sets whether an in-process collection with a <see cref="Directory"/> is saved after every upsert and
    /// delete (the whole collection is written, so large collections with frequent small writes may prefer
    /// <see langword="false"/> and <see cref="EmbeddingsVectorStore.SaveAsync"/>). Default: <see langword="true"/>.
    /// </summary>
    public bool AutoSave { get; set; } = true;

    /// <summary>
    /// Gets or sets the generator that embeds <see cref="string"/> vector properties and text searches (an
    /// <see cref="IEmbedder"/> from <c>AddEmbeddings</c> adds query/document input kinds and the fingerprint lock).
    /// A generator on the definition or the vector property wins. Default: <see langword="null"/>; the DI registration
    /// fills in the container's <see cref="IEmbeddingGenerator"/>.
    /// </summary>
    public IEmbeddingGenerator? EmbeddingGenerator { get; set; }

    /// <summary>
    /// Gets or sets the PostgreSQL data source; when set (or <see cref="PgVectorConnectionString"/> is), every
    /// collection is a <see cref="PgVector.PgVectorIndex"/> table instead of an in-process index. The store does not
    /// dispose a data source it was given. Default: <see langword="null"/>.
    /// </summary>
    public NpgsqlDataSource? PgVectorDataSource { get; set; }

    /// <summary>Gets or sets the PostgreSQL connection string, used when <see cref="PgVectorDataSource"/> is not set. Default: <see langword="null"/>.</summary>
    public string? PgVectorConnectionString { get; set; }

    /// <summary>Gets or sets the PostgreSQL schema of PgVector collections. Default: <c>public</c>.</summary>
    public string PgVectorSchema { get; set; } = "public";

    /// <summary>Gets or sets HNSW's M for <c>IndexKind = Hnsw</c> collections (in process and pgvector). Default: 16.</summary>
    public int HnswM { get; set; } = 16;

    /// <summary>Gets or sets HNSW's efConstruction. Default: 200 (pgvector collections use it too).</summary>
    public int HnswEfConstruction { get; set; } = 200;

    /// <summary>Gets or sets HNSW's default efSearch. Default: 64.</summary>
    public int HnswEfSearch { get; set; } = 64;

    /// <summary>Gets or sets the seed of in-process HNSW graphs, for reproducible builds. Default: <see langword="null"/>, random.</summary>
    public int? HnswSeed { get; set; }

    internal bool UsesPgVector => PgVectorDataSource is not null || !string.IsNullOrWhiteSpace(PgVectorConnectionString);

    internal EmbeddingsVectorStoreOptions Clone() => (EmbeddingsVectorStoreOptions)MemberwiseClone();

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(HnswM, 2, nameof(HnswM));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(HnswEfConstruction, nameof(HnswEfConstruction));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(HnswEfSearch, nameof(HnswEfSearch));
        ArgumentException.ThrowIfNullOrWhiteSpace(PgVectorSchema, nameof(PgVectorSchema));
        if (Directory is not null && UsesPgVector)
        {
            throw new ArgumentException("Directory is for in-process collections; a PgVector store keeps its collections in the database. Set one or the other.", nameof(Directory));
        }
    }
}

using System.Buffers.Binary;
using System.CommandLine;
using System.Globalization;
using Embeddings.Cli.Hosting;
using Embeddings.Cli.Input;
using Embeddings.Cli.Output;
using Embeddings.PgVector;
using Npgsql;

namespace Embeddings.Cli.Commands;

/// <summary><c>index build</c> and <c>index search</c>: flat and HNSW index files, or a pgvector collection.</summary>
internal static class IndexCommands
{
    private const string TextMetadata = "text";
    private const int FlatKind = 1;
    private const int HnswKind = 2;

    public static Command Create(CliConsole console)
    {
        var command = new Command("index", "Build and search vector indexes: flat and HNSW files, or a pgvector collection.");
        command.Subcommands.Add(CreateBuild(console));
        command.Subcommands.Add(CreateSearch(console));
        return command;
    }

    private static Command CreateBuild(CliConsole console)
    {
        Argument<string[]> inputs = CommonOptions.InputFiles("Text files (one text a line), .jsonl files ({\"_id\", \"text\"} a line, as BEIR corpora) or '-' for stdin; stdin when none is named.");
        Option<string?> output = new("--output", "-o") { Description = "The index file to write (flat and hnsw)." };
        Option<IndexKindOption> kind = new("--kind") { Description = "flat (exact search), hnsw (approximate, fast on large sets) or pgvector (a PostgreSQL collection; needs --connection).", DefaultValueFactory = _ => IndexKindOption.Flat };
        Option<DistanceMetric> metric = new("--metric") { Description = "The similarity the index ranks by.", DefaultValueFactory = _ => DistanceMetric.Cosine };
        Option<int> m = CommonOptions.Positive(new Option<int>("--hnsw-m") { Description = "HNSW: neighbours per node.", DefaultValueFactory = _ => 16 });
        Option<int> efConstruction = CommonOptions.Positive(new Option<int>("--ef-construction") { Description = "HNSW: candidate list size while building.", DefaultValueFactory = _ => 200 });
        Option<string?> connection = ConnectionOption();
        Option<string> collection = CollectionOption();
        Option<string?> model = CommonOptions.Model();
        Option<int> batchSize = CommonOptions.BatchSize(64);
        Option<bool> wholeFile = new("--whole-file") { Description = "Index each input file as one text instead of one text a line." };

        var command = new Command("build", "Embed texts and build an index of them; the index records the model, so search uses the same one.")
        {
            inputs, output, kind, metric, m, efConstruction, connection, collection, model, batchSize, wholeFile,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            IndexKindOption indexKind = parse.GetValue(kind);
            string? outputPath = parse.GetValue(output);
            string? connectionString = parse.GetValue(connection);
            switch (indexKind)
            {
                case IndexKindOption.Auto:
                    throw new CliUsageException("index build needs --kind flat, hnsw or pgvector.");
                case IndexKindOption.PgVector when string.IsNullOrWhiteSpace(connectionString):
                    throw new CliUsageException("--kind pgvector needs --connection \"Host=...;Username=...;Password=...;Database=...\".");
                case IndexKindOption.Flat or IndexKindOption.Hnsw when string.IsNullOrWhiteSpace(outputPath):
                    throw new CliUsageException($"--kind {indexKind.ToString().ToLowerInvariant()} writes a file: name it with --output.");
            }

            List<InputText> records = await TextInputReader.ReadAsync(parse.GetValue(inputs) ?? [], parse.GetValue(wholeFile), console, cancellationToken).ConfigureAwait(false);
            using IEmbedder embedder = await ModelResolver.LoadAsync(parse.GetValue(model), cancellationToken).ConfigureAwait(false);
            DistanceMetric distance = parse.GetValue(metric);
            await CliProgress.RunAsync(console, async board =>
            {
                ReadOnlyMemory<float>[] vectors = await BatchEmbedding.EmbedAsync(
                    embedder, records.Select(r => r.Text).ToArray(), EmbeddingInputKind.Document, parse.GetValue(batchSize), board.Add("Embedding", records.Count), cancellationToken).ConfigureAwait(false);
                var rows = new VectorRecord[records.Count];
                for (int i = 0; i < rows.Length; i++)
                {
                    rows[i] = new VectorRecord(records[i].Id, vectors[i], new Dictionary<string, object?> { [TextMetadata] = records[i].Text });
                }

                IProgressBar indexing = board.Add("Indexing", rows.Length);
                if (indexKind == IndexKindOption.PgVector)
                {
                    using PgVectorIndex index = new(PgVectorOptions(connectionString!, parse.GetValue(collection)!, embedder, distance));
                    const int chunk = 500;
                    for (int start = 0; start < rows.Length; start += chunk)
                    {
                        await WithServerHintAsync(() => index.UpsertAsync(rows.AsSpan(start, Math.Min(chunk, rows.Length - start)).ToArray(), embedder.Fingerprint, cancellationToken).AsTask()).ConfigureAwait(false);
                        indexing.Report(Math.Min(start + chunk, rows.Length));
                    }

                    return 0;
                }

                using InMemoryVectorIndex built = indexKind == IndexKindOption.Hnsw
                    ? new HnswIndex(embedder.Dimensions, distance, new HnswIndexOptions { M = parse.GetValue(m), EfConstruction = parse.GetValue(efConstruction) }, embedder.Fingerprint)
                    : new FlatIndex(embedder.Dimensions, distance, fingerprint: embedder.Fingerprint);
                const int step = 256;
                for (int start = 0; start < rows.Length; start += step)
                {
                    built.Upsert(rows.AsSpan(start, Math.Min(step, rows.Length - start)).ToArray(), embedder.Fingerprint, cancellationToken);
                    indexing.Report(Math.Min(start + step, rows.Length));
                }

                built.Save(outputPath!);
                return 0;
            }).ConfigureAwait(false);

            string where = indexKind == IndexKindOption.PgVector ? $"pgvector collection '{parse.GetValue(collection)}'" : outputPath!;
            await console.Error.WriteLineAsync($"Indexed {records.Count} texts ({embedder.Fingerprint.ModelId}, {embedder.Dimensions} dimensions, {distance}) into {where}").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateSearch(CliConsole console)
    {
        Argument<string> query = new("query") { Description = "The text to search for." };
        Option<string?> index = new("--index", "-i") { Description = "The index file (flat or hnsw) that 'index build' wrote." };
        Option<IndexKindOption> kind = new("--kind") { Description = "auto (from the file), flat, hnsw or pgvector (needs --connection).", DefaultValueFactory = _ => IndexKindOption.Auto };
        Option<int> k = CommonOptions.Positive(new Option<int>("--top", "-k") { Description = "How many results.", DefaultValueFactory = _ => 10 });
        Option<int?> efSearch = new("--ef-search") { Description = "HNSW and pgvector: candidate list size while searching (higher: better recall, slower)." };
        Option<string?> connection = ConnectionOption();
        Option<string> collection = CollectionOption();
        Option<string?> model = CommonOptions.Model();
        Option<OutputFormat> format = CommonOptions.Format("table (markdown when redirected) or jsonl (one {\"rank\", \"id\", \"score\", \"text\"} object a line).");

        var command = new Command("search", "Search an index built by 'index build' with the same model.")
        {
            query, index, kind, k, efSearch, connection, collection, model, format,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            IndexKindOption indexKind = parse.GetValue(kind);
            string? indexPath = parse.GetValue(index);
            string? connectionString = parse.GetValue(connection);
            if (indexKind == IndexKindOption.PgVector || (indexKind == IndexKindOption.Auto && indexPath is null && connectionString is not null))
            {
                indexKind = IndexKindOption.PgVector;
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new CliUsageException("--kind pgvector needs --connection \"Host=...;Username=...;Password=...;Database=...\".");
                }
            }
            else if (string.IsNullOrWhiteSpace(indexPath))
            {
                throw new CliUsageException("index search needs --index <file> (or --kind pgvector --connection ...).");
            }
            else if (!File.Exists(indexPath))
            {
                throw new CliUsageException($"index file '{indexPath}' does not exist.");
            }

            string text = parse.GetValue(query)!;
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new CliUsageException("the query is empty.");
            }

            using IEmbedder embedder = await ModelResolver.LoadAsync(parse.GetValue(model), cancellationToken).ConfigureAwait(false);
            using IVectorIndex opened = indexKind == IndexKindOption.PgVector
                ? new PgVectorIndex(PgVectorOptions(connectionString!, parse.GetValue(collection)!, embedder, metric: null))
                : OpenFile(indexPath!, indexKind);
            if (opened.Fingerprint is EmbedderFingerprint recorded && recorded != embedder.Fingerprint)
            {
                throw new CliUsageException(
                    $"the index holds vectors of '{recorded.ModelId}' ({recorded.Dimensions} dimensions), not of '{embedder.Fingerprint.ModelId}' ({embedder.Dimensions} dimensions): search with the --model it was built with.");
            }

            ReadOnlyMemory<float> vector = await embedder.EmbedQueryAsync(text, options: null, cancellationToken).ConfigureAwait(false);
            var options = new VectorSearchOptions { EfSearch = parse.GetValue(efSearch), Fingerprint = embedder.Fingerprint };
            IReadOnlyList<VectorSearchResult> hits = await WithServerHintAsync(
                () => opened.SearchAsync(vector, parse.GetValue(k), options, cancellationToken).AsTask()).ConfigureAwait(false);

            if (parse.GetValue(format) == OutputFormat.Jsonl)
            {
                for (int i = 0; i < hits.Count; i++)
                {
                    VectorSearchResult hit = hits[i];
                    await console.Out.WriteLineAsync(JsonLines.Object(json =>
                    {
                        json.WriteNumber("rank", i + 1);
                        json.WriteString("id", hit.Key);
                        json.WriteNumber("score", hit.Score);
                        if (TextOf(hit) is string stored)
                        {
                            json.WriteString("text", stored);
                        }
                    })).ConfigureAwait(false);
                }
            }
            else
            {
                await TableOutput.WriteAsync(
                    console,
                    ["Rank", "Id", "Score", "Text"],
                    hits.Select((hit, i) => (IReadOnlyList<string>)[(i + 1).ToString(CultureInfo.InvariantCulture), hit.Key, hit.Score.ToString("F4", CultureInfo.InvariantCulture), TextOf(hit) ?? string.Empty]),
                    new HashSet<int> { 0, 2 }).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Option<string?> ConnectionOption() => new("--connection")
    {
        Description = "pgvector: the PostgreSQL connection string. Default: the EMBEDDINGS_PG_CONNECTION environment variable.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("EMBEDDINGS_PG_CONNECTION"),
    };

    private static Option<string> CollectionOption() => new("--collection")
    {
        Description = "pgvector: the collection (table) name.",
        DefaultValueFactory = _ => "embeddings",
    };

    private static PgVectorIndexOptions PgVectorOptions(string connectionString, string collection, IEmbedder embedder, DistanceMetric? metric)
    {
        var options = new PgVectorIndexOptions
        {
            ConnectionString = connectionString,
            Collection = collection,
            Dimensions = embedder.Dimensions,
            Fingerprint = embedder.Fingerprint,
        };
        if (metric is DistanceMetric chosen)
        {
            options.Metric = chosen;
        }

        return options;
    }

    private static InMemoryVectorIndex OpenFile(string path, IndexKindOption kind)
    {
        if (kind == IndexKindOption.Auto)
        {
            kind = PeekKind(path) == HnswKind ? IndexKindOption.Hnsw : IndexKindOption.Flat;
        }

        return kind == IndexKindOption.Hnsw ? HnswIndex.Load(path) : FlatIndex.Load(path);
    }

    // The index file header is magic (8 bytes), format version (4) and kind (4); anything else is left to Load to refuse
    // with its own message.
    private static int PeekKind(string path)
    {
        Span<byte> head = stackalloc byte[16];
        using FileStream stream = File.OpenRead(path);
        return stream.Read(head) == head.Length ? BinaryPrimitives.ReadInt32LittleEndian(head[12..]) : FlatKind;
    }

    private static string? TextOf(VectorSearchResult hit) =>
        hit.Metadata is not null && hit.Metadata.TryGetValue(TextMetadata, out object? value) ? value as string : null;

    private static async Task<T> WithServerHintAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (NpgsqlException e) when (e.InnerException is System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"No PostgreSQL server answered ({CliApplication.OneLine(e.Message)}). Start one with pgvector, for example: docker run -d -p 5432:5432 -e POSTGRES_PASSWORD=postgres pgvector/pgvector:pg17", e);
        }
    }

    private static async Task WithServerHintAsync(Func<Task> action) =>
        await WithServerHintAsync(async () =>
        {
            await action().ConfigureAwait(false);
            return 0;
        }).ConfigureAwait(false);
}

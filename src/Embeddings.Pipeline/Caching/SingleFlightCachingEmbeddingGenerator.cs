using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace Embeddings.Pipeline;

/// <summary>
/// Caches vectors in an <see cref="IEmbeddingCacheStore"/> under (fingerprint, input kind, SHA-256 of the text). Only the
/// inputs missing from the store go to the inner generator, in one call, and results come back in input order.
/// Concurrent requests for the same key share one inner call (single flight), as do repeats within one call.
/// </summary>
/// <remarks>
/// The fingerprint is the inner pipeline's (<see cref="EmbedderDescriptor"/>), adjusted for
/// <see cref="EmbeddingGenerationOptions.Dimensions"/>; the input kind is read with
/// <see cref="EmbeddingGenerationOptionsExtensions.GetInputKind"/>. A cached vector whose length is not the expected one
/// is treated as a miss, never served. Calls naming another <see cref="EmbeddingGenerationOptions.ModelId"/>, or carrying
/// <see cref="BypassKey"/> = <see langword="true"/>, pass through uncached. When the shared inner call fails, every caller
/// waiting on one of its keys receives that exception. Cancellation is each caller's own: a caller whose token is cancelled
/// gets an <see cref="OperationCanceledException"/> for its token at once, while the shared inner call goes on (and is
/// cached) for as long as any other caller still waits on it; only when the last of them has cancelled is the inner call
/// cancelled, and a later request for those keys starts a new one.
/// </remarks>
public sealed class SingleFlightCachingEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> key that, set to <see langword="true"/>, skips the cache: <c>embeddings.cache.bypass</c>.</summary>
    public const string BypassKey = "embeddings.cache.bypass";

    private readonly ConcurrentDictionary<EmbeddingCacheKey, InFlight> _inFlight = new();
    private readonly EmbedderDescriptor _descriptor;
    private readonly string _fingerprint;
    private readonly EmbeddingPipelineMetrics _metrics;
    private readonly bool _disposeStore;

    /// <summary>Creates the decorator.</summary>
    /// <param name="innerGenerator">The generator whose results are cached; it must describe itself (an <see cref="EmbedderDescriptor"/> service).</param>
    /// <param name="store">Where vectors are kept.</param>
    /// <param name="metrics">The counters hits and misses go to; <see langword="null"/> for <see cref="EmbeddingPipelineMetrics.Shared"/>.</param>
    /// <param name="disposeStore">Whether disposing the decorator disposes <paramref name="store"/> (when it is <see cref="IDisposable"/>). Default: <see langword="false"/>.</param>
    /// <exception cref="ArgumentException">The inner generator does not describe its model, so a safe key cannot be built.</exception>
    public SingleFlightCachingEmbeddingGenerator(
        IEmbeddingGenerator<string, Embedding<float>> innerGenerator,
        IEmbeddingCacheStore store,
        EmbeddingPipelineMetrics? metrics = null,
        bool disposeStore = false)
        : base(innerGenerator)
    {
        _disposeStore = disposeStore;
        ArgumentNullException.ThrowIfNull(store);
        _descriptor = innerGenerator.GetService<EmbedderDescriptor>()
            ?? throw new ArgumentException(
                "The inner generator does not describe its model (no EmbedderDescriptor service), so cached vectors could not be told apart from another model's; wrap it with AsEmbedder(descriptor).",
                nameof(innerGenerator));
        _fingerprint = _descriptor.Fingerprint.ToString();
        Store = store;
        _metrics = metrics ?? EmbeddingPipelineMetrics.Shared;
    }

    /// <summary>Gets the store.</summary>
    public IEmbeddingCacheStore Store { get; }

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> inputs = EmbeddingInputs.Validate(values);
        if (Bypass(options))
        {
            return await base.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
        }

        int expected = options?.Dimensions ?? _descriptor.Dimensions;
        string fingerprint = expected == _descriptor.Dimensions
            ? _fingerprint
            : _descriptor.Fingerprint.WithDimensions(expected, _descriptor.Normalized).ToString();
        EmbeddingInputKind kind = options.GetInputKind();

        var keys = new EmbeddingCacheKey[inputs.Count];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = EmbeddingCacheKey.Create(fingerprint, kind, inputs[i]);
        }

        var vectors = new float[]?[keys.Length];
        Store.GetMany(keys, vectors);
        int hits = 0;
        for (int i = 0; i < vectors.Length; i++)
        {
            if (vectors[i] is float[] cached && cached.Length != expected)
            {
                vectors[i] = null;
            }

            hits += vectors[i] is null ? 0 : 1;
        }

        _metrics.CacheLookups(Store.Name, hits, keys.Length - hits);
        UsageDetails? usage = null;
        if (hits < keys.Length)
        {
            usage = await FillMissesAsync(inputs, keys, vectors, options, cancellationToken).ConfigureAwait(false);
        }

        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Length) { Usage = usage };
        foreach (float[]? vector in vectors)
        {
            result.Add(new Embedding<float>(vector!) { ModelId = _descriptor.ModelId });
        }

        return result;
    }

    private async Task<UsageDetails?> FillMissesAsync(
        IReadOnlyList<string> inputs,
        EmbeddingCacheKey[] keys,
        float[]?[] vectors,
        EmbeddingGenerationOptions? options,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // Each distinct missing key is either owned by this call (its flight asks the inner generator) or awaited from the
        // flight of the call that owns it; a repeat within the call waits on its first occurrence. Arrays, not collections:
        // a call usually misses one or a few keys.
        var waits = new Task<float[]>?[keys.Length];
        var owned = new int[keys.Length];
        var sources = new TaskCompletionSource<float[]>?[keys.Length];
        Dictionary<EmbeddingCacheKey, int>? firstMiss = keys.Length > 8 ? new(keys.Length) : null;
        List<Flight>? joined = null;
        Flight? mine = null;
        int ownedCount = 0;
        try
        {
            for (int i = 0; i < keys.Length; i++)
            {
                if (vectors[i] is not null)
                {
                    continue;
                }

                int earlier = FirstMiss(keys, waits, firstMiss, i);
                if (earlier >= 0)
                {
                    waits[i] = waits[earlier];
                    continue;
                }

                while (true)
                {
                    mine ??= new Flight();
                    var source = new TaskCompletionSource<float[]>(TaskCreationOptions.RunContinuationsAsynchronously);
                    var entry = new InFlight(mine, source.Task);
                    InFlight winner = _inFlight.GetOrAdd(keys[i], entry);
                    if (ReferenceEquals(winner, entry))
                    {
                        owned[ownedCount] = i;
                        sources[ownedCount] = source;
                        ownedCount++;
                        waits[i] = source.Task;
                        break;
                    }

                    joined ??= [];
                    bool member = ReferenceEquals(winner.Flight, mine) || joined.Contains(winner.Flight);
                    if (member || winner.Flight.TryJoin())
                    {
                        if (!member)
                        {
                            joined.Add(winner.Flight);
                        }

                        waits[i] = winner.Task;
                        break;
                    }

                    // Every caller of that flight has cancelled, so its result will never come: take the key over.
                    _inFlight.TryRemove(new KeyValuePair<EmbeddingCacheKey, InFlight>(keys[i], winner));
                }
            }

            Task<UsageDetails?>? work = null;
            if (ownedCount > 0)
            {
                // The inner call runs under the flight's token, not this caller's: it stops only when every caller
                // waiting on one of its keys has gone, so one caller's cancellation is never another's.
                work = RunFlightAsync(mine!, inputs, keys, owned, sources, ownedCount, options);
            }

            for (int i = 0; i < keys.Length; i++)
            {
                if (vectors[i] is null)
                {
                    vectors[i] = await waits[i]!.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            return work is null ? null : await work.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Leaving a finished flight does nothing; leaving one still running (this caller cancelled, or another of its
            // keys failed) lets it stop once nobody else waits.
            if (ownedCount > 0)
            {
                mine!.Leave();
            }

            foreach (Flight flight in joined ?? [])
            {
                flight.Leave();
            }
        }
    }

    /// <summary>The index of an earlier miss with the same key as <paramref name="i"/>, or -1 (recording <paramref name="i"/> as the first).</summary>
    private static int FirstMiss(EmbeddingCacheKey[] keys, Task<float[]>?[] waits, Dictionary<EmbeddingCacheKey, int>? firstMiss, int i)
    {
        if (firstMiss is not null)
        {
            return firstMiss.TryAdd(keys[i], i) ? -1 : firstMiss[keys[i]];
        }

        for (int j = 0; j < i; j++)
        {
            if (waits[j] is not null && keys[j] == keys[i])
            {
                return j;
            }
        }

        return -1;
    }

    /// <summary>Generates the keys a flight owns and completes their sources. It never throws: failures go to the sources.</summary>
    private async Task<UsageDetails?> RunFlightAsync(
        Flight flight,
        IReadOnlyList<string> inputs,
        EmbeddingCacheKey[] keys,
        int[] owned,
        TaskCompletionSource<float[]>?[] sources,
        int count,
        EmbeddingGenerationOptions? options)
    {
        try
        {
            var texts = new string[count];
            for (int i = 0; i < count; i++)
            {
                texts[i] = inputs[owned[i]];
            }

            GeneratedEmbeddings<Embedding<float>> generated = await base.GenerateAsync(texts, options, flight.Token).ConfigureAwait(false);
            if (generated.Count != count)
            {
                throw new InvalidOperationException($"The inner generator returned {generated.Count} embeddings for {count} inputs.");
            }

            var fresh = new float[count][];
            var freshKeys = new EmbeddingCacheKey[count];
            for (int i = 0; i < count; i++)
            {
                ReadOnlyMemory<float> vector = generated[i].Vector;
                fresh[i] = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(vector, out ArraySegment<float> segment)
                    && segment.Offset == 0 && segment.Count == segment.Array!.Length
                    ? segment.Array
                    : vector.ToArray();
                freshKeys[i] = keys[owned[i]];
            }

            // Stored before the in-flight entries go, so a later caller finds the vector in one place or the other.
            Store.SetMany(freshKeys, fresh);
            for (int i = 0; i < count; i++)
            {
                sources[i]!.TrySetResult(fresh[i]);
            }

            return generated.Usage;
        }
        catch (Exception ex)
        {
            for (int i = 0; i < count; i++)
            {
                TaskCompletionSource<float[]> source = sources[i]!;
                if (ex is OperationCanceledException oce && flight.Token.IsCancellationRequested)
                {
                    // Nobody waits any more: every caller has already seen its own cancellation.
                    source.TrySetCanceled(oce.CancellationToken);
                }
                else
                {
                    // Any other failure, an inner timeout surfacing as a cancellation included, is every waiter's failure.
                    source.TrySetException(ex);
                    _ = source.Task.Exception;
                }
            }

            return null;
        }
        finally
        {
            for (int i = 0; i < count; i++)
            {
                _inFlight.TryRemove(new KeyValuePair<EmbeddingCacheKey, InFlight>(keys[owned[i]], new InFlight(flight, sources[i]!.Task)));
            }

            flight.Complete();
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _disposeStore && Store is IDisposable disposable)
        {
            disposable.Dispose();
        }

        base.Dispose(disposing);
    }

    private bool Bypass(EmbeddingGenerationOptions? options)
    {
        if (options is null)
        {
            return false;
        }

        if (options.ModelId is string model && !string.Equals(model, _descriptor.ModelId, StringComparison.Ordinal))
        {
            return true;
        }

        return options.AdditionalProperties?.TryGetValue(BypassKey, out object? value) == true && value is true or "true" or "True";
    }

    /// <summary>The key's pending vector and the flight computing it. A record, so removal compares both.</summary>
    private sealed record InFlight(Flight Flight, Task<float[]> Task);

    /// <summary>
    /// One inner call shared by every caller waiting on one of its keys. It is cancelled when the last of them cancels, and
    /// a flight so abandoned admits no new waiter (they start their own).
    /// </summary>
    private sealed class Flight
    {
        private readonly CancellationTokenSource _cancellation = new();
        private int _callers = 1;
        private int _completed;

        public CancellationToken Token => _cancellation.Token;

        public bool TryJoin()
        {
            while (true)
            {
                int callers = Volatile.Read(ref _callers);
                if (callers <= 0)
                {
                    return false;
                }

                if (Interlocked.CompareExchange(ref _callers, callers + 1, callers) == callers)
                {
                    return true;
                }
            }
        }

        public void Leave()
        {
            if (Interlocked.Decrement(ref _callers) == 0 && Volatile.Read(ref _completed) == 0)
            {
                try
                {
                    _cancellation.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The flight finished between the check and the cancel: nothing is left to stop.
                }
            }
        }

        public void Complete()
        {
            Volatile.Write(ref _completed, 1);
            _cancellation.Dispose();
        }
    }
}

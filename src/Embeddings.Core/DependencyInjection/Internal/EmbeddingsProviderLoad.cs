namespace Embeddings;

/// <summary>One container's load of one registration's asynchronous provider: started once, by the warm-up service or the first resolution.</summary>
/// <remarks>
/// The container disposes this object; a provider that was loaded but never handed to a pipeline (a host that
/// warmed up and stopped before anything resolved it) is disposed with it, since no pipeline owns it.
/// </remarks>
internal sealed class EmbeddingsProviderLoad(EmbeddingsBuilder builder, IServiceProvider services) : IDisposable
{
    // On the thread pool, so that a synchronous factory waiting on it cannot deadlock on a synchronization context.
    private readonly Lazy<Task<IEmbedder>> _load = new(
        () => System.Threading.Tasks.Task.Run(() => builder.LoadProviderAsync(services, CancellationToken.None)),
        LazyThreadSafetyMode.ExecutionAndPublication);

    private int _handedOver;

    /// <summary>Gets the load, starting it on first use.</summary>
    public Task<IEmbedder> Task => _load.Value;

    /// <summary>Waits for the load and hands the provider to the pipeline, which owns it from then on.</summary>
    /// <returns>The provider.</returns>
    public IEmbedder HandOver()
    {
        IEmbedder provider = Task.GetAwaiter().GetResult();
        Volatile.Write(ref _handedOver, 1);
        return provider;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Volatile.Read(ref _handedOver) == 0 && _load.IsValueCreated && _load.Value.IsCompletedSuccessfully)
        {
            _load.Value.Result?.Dispose();
        }
    }
}

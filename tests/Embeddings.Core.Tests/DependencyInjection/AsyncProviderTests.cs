using Embeddings.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Embeddings.Core.Tests.DependencyInjection;

public sealed class AsyncProviderTests
{
    [Fact]
    public async Task The_hosted_warm_up_loads_the_provider_once_and_resolution_then_finds_it_loaded()
    {
        int loads = 0;
        var release = new TaskCompletionSource();
        var services = new ServiceCollection();
        services.AddEmbeddings(e => e.UseProvider(async (_, _) =>
        {
            Interlocked.Increment(ref loads);
            await release.Task;
            return DeterministicEmbedder.Create(16);
        }));
        await using ServiceProvider container = services.BuildServiceProvider();

        IHostedService warmUp = Assert.Single(container.GetServices<IHostedService>());
        Task started = warmUp.StartAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(started.IsCompleted);   // startup waits for the load ...
        release.SetResult();
        await started;                        // ... and ends when it has

        IEmbedder embedder = container.GetRequiredService<IEmbedder>();
        Assert.Equal(16, embedder.Dimensions);
        Assert.Equal(DeterministicEmbedder.VectorFor("x", 16, normalized: true), (await embedder.GenerateAsync(["x"]))[0].Vector.ToArray());
        Assert.Equal(1, loads);
    }

    [Fact]
    public async Task Without_a_host_the_first_resolution_waits_and_each_container_loads_its_own()
    {
        int loads = 0;
        var services = new ServiceCollection();
        services.AddKeyedEmbeddings("k", e => e.UseProvider(async (_, cancellationToken) =>
        {
            Interlocked.Increment(ref loads);
            await Task.Delay(20, cancellationToken);
            return DeterministicEmbedder.Create(8);
        }));

        await using (ServiceProvider first = services.BuildServiceProvider())
        {
            Assert.Equal(8, first.GetRequiredKeyedService<IEmbedder>("k").Dimensions);
            Assert.Same(first.GetRequiredKeyedService<IEmbedder>("k"), first.GetRequiredKeyedService<IEmbedder>("k"));
        }

        await using (ServiceProvider second = services.BuildServiceProvider())
        {
            Assert.Equal(8, second.GetRequiredKeyedService<IEmbedder>("k").Dimensions);
        }

        Assert.Equal(2, loads);
    }

    [Fact]
    public async Task A_failed_load_stops_startup_with_its_error_and_resolution_rethrows_it()
    {
        var services = new ServiceCollection();
        services.AddEmbeddings(e => e.UseProvider((_, _) => Task.FromException<IEmbedder>(new FileNotFoundException("model.onnx is missing"))));
        await using ServiceProvider container = services.BuildServiceProvider();

        FileNotFoundException atStartup = await Assert.ThrowsAsync<FileNotFoundException>(() => container.GetServices<IHostedService>().Single().StartAsync(CancellationToken.None));
        Assert.Contains("model.onnx", atStartup.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => container.GetRequiredService<IEmbedder>());
    }

    [Fact]
    public async Task A_provider_loaded_at_startup_but_never_resolved_is_disposed_with_the_container()
    {
        DeterministicEmbedder provider = DeterministicEmbedder.Create(4);
        var services = new ServiceCollection();
        services.AddEmbeddings(e => e.UseProvider((_, _) => Task.FromResult<IEmbedder>(provider)));
        services.AddKeyedEmbeddings("sync", e => e.UseProvider(_ => DeterministicEmbedder.Create(4)));
        await using (ServiceProvider container = services.BuildServiceProvider())
        {
            // One warm-up service for all registrations; synchronous providers need none.
            await Assert.Single(container.GetServices<IHostedService>()).StartAsync(CancellationToken.None);
        }

        Assert.Equal(1, provider.DisposeCount);
    }
}

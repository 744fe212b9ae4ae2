using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Embeddings;

/// <summary>The builders registered in one service collection whose provider loads asynchronously.</summary>
internal sealed class EmbeddingsRegistrations
{
    public List<EmbeddingsBuilder> Builders { get; } = [];
}

/// <summary>Loads every asynchronous provider when the host starts, so that resolving a pipeline never waits on a load and a load failure stops startup.</summary>
internal sealed class EmbeddingsWarmupService(EmbeddingsRegistrations registrations, IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (EmbeddingsBuilder builder in registrations.Builders)
        {
            if (builder.LoadsAsynchronously)
            {
                await services.GetRequiredKeyedService<EmbeddingsProviderLoad>(builder).Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

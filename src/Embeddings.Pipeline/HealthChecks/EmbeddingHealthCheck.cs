using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Embeddings.Pipeline;

/// <summary>Reports a pipeline healthy when it embeds a probe string into a finite vector within a timeout.</summary>
public sealed class EmbeddingHealthCheck : IHealthCheck
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly EmbeddingHealthCheckOptions _options;

    /// <summary>Creates the check.</summary>
    /// <param name="generator">The pipeline probed.</param>
    /// <param name="options">The settings; <see langword="null"/> for the defaults.</param>
    public EmbeddingHealthCheck(IEmbeddingGenerator<string, Embedding<float>> generator, EmbeddingHealthCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        _generator = generator;
        _options = options ?? new EmbeddingHealthCheckOptions();
        ArgumentNullException.ThrowIfNull(_options.ProbeText, "options.ProbeText");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.Timeout, TimeSpan.Zero, "options.Timeout");
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        TimeProvider clock = _options.TimeProvider ?? TimeProvider.System;
        using var timeout = new CancellationTokenSource(_options.Timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var options = new EmbeddingGenerationOptions();
        if (_options.BypassCache)
        {
            options.AdditionalProperties = new() { [SingleFlightCachingEmbeddingGenerator.BypassKey] = true };
        }

        long started = clock.GetTimestamp();
        try
        {
            GeneratedEmbeddings<Embedding<float>> result = await _generator
                .GenerateAsync([_options.ProbeText], options, linked.Token)
                .WaitAsync(linked.Token)
                .ConfigureAwait(false);
            TimeSpan elapsed = clock.GetElapsedTime(started);
            ReadOnlySpan<float> vector = result[0].Vector.Span;
            var data = new Dictionary<string, object>
            {
                ["dimensions"] = vector.Length,
                ["elapsed_ms"] = elapsed.TotalMilliseconds,
            };
            foreach (float value in vector)
            {
                if (!float.IsFinite(value))
                {
                    return new HealthCheckResult(context.Registration.FailureStatus, "The probe embedding holds NaN or infinity.", data: data);
                }
            }

            return vector.Length == 0
                ? new HealthCheckResult(context.Registration.FailureStatus, "The probe embedding is empty.", data: data)
                : HealthCheckResult.Healthy($"Embedded the probe into {vector.Length} dimensions in {elapsed.TotalMilliseconds:F0} ms.", data);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The probe did not finish within {_options.Timeout.TotalSeconds:0.###} s.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The probe failed: {ex.Message}", ex);
        }
    }
}

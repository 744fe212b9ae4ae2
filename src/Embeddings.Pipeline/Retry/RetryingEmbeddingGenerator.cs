using System.Net;
using Microsoft.Extensions.AI;
using Polly;

namespace Embeddings.Pipeline;

/// <summary>
/// Retries transient failures of the inner generator (429 honouring <c>Retry-After</c>, 5xx, timeouts, connection
/// failures) with exponential backoff and jitter, bounds each attempt with a timeout, and turns request failures into an
/// <see cref="EmbeddingRequestException"/> that says what happened and after how many attempts. 400, 401, 403 and 404
/// are never retried.
/// </summary>
public sealed class RetryingEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly ResiliencePipeline _pipeline;

    /// <summary>Creates the decorator.</summary>
    /// <param name="innerGenerator">The generator whose calls are retried.</param>
    /// <param name="options">The settings; <see langword="null"/> for the defaults.</param>
    public RetryingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, EmbeddingRetryOptions? options = null)
        : base(innerGenerator)
    {
        Options = options ?? new EmbeddingRetryOptions();
        var builder = new ResiliencePipelineBuilder { TimeProvider = Options.TimeProvider ?? TimeProvider.System };
        _pipeline = builder.AddEmbeddingRetry(Options).Build();
    }

    /// <summary>Gets the settings.</summary>
    public EmbeddingRetryOptions Options { get; }

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> inputs = EmbeddingInputs.Validate(values);
        var state = new CallState(this, inputs, options);
        try
        {
            return await _pipeline.ExecuteAsync(
                static (s, token) =>
                {
                    s.Attempts++;
                    return new ValueTask<GeneratedEmbeddings<Embedding<float>>>(s.Owner.InnerGenerator.GenerateAsync(s.Inputs, s.Options, token));
                },
                state,
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not EmbeddingRequestException && EmbeddingFailures.Classify(ex, cancellationToken) is EmbeddingFailureKind failure)
        {
            HttpStatusCode? status = (ex as HttpRequestException)?.StatusCode;
            throw new EmbeddingRequestException(failure, status, Math.Max(1, state.Attempts), ex);
        }
    }

    private sealed class CallState(RetryingEmbeddingGenerator owner, IReadOnlyList<string> inputs, EmbeddingGenerationOptions? options)
    {
        public RetryingEmbeddingGenerator Owner { get; } = owner;

        public IReadOnlyList<string> Inputs { get; } = inputs;

        public EmbeddingGenerationOptions? Options { get; } = options;

        public int Attempts { get; set; }
    }
}

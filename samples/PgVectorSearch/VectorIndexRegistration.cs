using Embeddings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace PgVectorSearch;

/// <summary>Registers the application's <see cref="IVectorIndex"/> from the <c>VectorIndex</c> configuration section.</summary>
internal static class VectorIndexRegistration
{
    /// <summary>
    /// <c>VectorIndex:Backend</c> picks the index: <c>InProcess</c> (an <see cref="HnswIndex"/> in this process) or
    /// <c>PgVector</c> (a table in PostgreSQL, configured by the rest of the section). Either way the index is locked
    /// to the registered embedder's fingerprint, and the rest of the application only sees <see cref="IVectorIndex"/>.
    /// </summary>
    public static IServiceCollection AddConfiguredVectorIndex(this IServiceCollection services, IConfigurationSection section)
    {
        string backend = section["Backend"] ?? "InProcess";
        return backend switch
        {
            "PgVector" => services.AddPgVectorIndex(section),
            "InProcess" => services.AddSingleton<IVectorIndex>(sp =>
            {
                IEmbedder embedder = sp.GetRequiredService<IEmbedder>();
                return new HnswIndex(embedder.Dimensions, DistanceMetric.Cosine, fingerprint: embedder.Fingerprint);
            }),
            _ => throw new InvalidOperationException($"VectorIndex:Backend is '{backend}'; use InProcess or PgVector."),
        };
    }
}

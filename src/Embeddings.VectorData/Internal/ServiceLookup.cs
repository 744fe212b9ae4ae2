using Embeddings.PgVector;
using Microsoft.Extensions.VectorData;

namespace Embeddings.VectorData.Internal;

/// <summary>The <c>GetService</c> answers of a collection: its metadata, itself, its store, and the index behind it.</summary>
internal static class ServiceLookup
{
    public static object? Get(Type serviceType, object? serviceKey, object collection, EmbeddingsVectorStore store, CollectionStorage storage, string name)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(VectorStoreCollectionMetadata))
        {
            return new VectorStoreCollectionMetadata { VectorStoreSystemName = EmbeddingsVectorStore.SystemName, CollectionName = name };
        }

        if (serviceType.IsInstanceOfType(collection))
        {
            return collection;
        }

        if (serviceType.IsInstanceOfType(store))
        {
            return store;
        }

        return storage switch
        {
            InProcessStorage inProcess when inProcess.Index is { } index && serviceType.IsInstanceOfType(index) => index,
            PgVectorStorage pg when serviceType.IsInstanceOfType(pg.Index) => pg.Index,
            _ => null,
        };
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Embeddings.Pipeline;

/// <summary>
/// What a cached vector is stored under: the embedder fingerprint (including the requested dimensions), the input kind
/// (a query and a document with the same text get different prefixes, so different vectors) and the SHA-256 of the text.
/// </summary>
public readonly struct EmbeddingCacheKey : IEquatable<EmbeddingCacheKey>
{
    private readonly ulong _h0;
    private readonly ulong _h1;
    private readonly ulong _h2;
    private readonly ulong _h3;
    private readonly int _hashCode;

    private EmbeddingCacheKey(string fingerprint, EmbeddingInputKind kind, ReadOnlySpan<byte> hash)
    {
        Fingerprint = fingerprint;
        Kind = kind;
        _h0 = BinaryPrimitives.ReadUInt64BigEndian(hash);
        _h1 = BinaryPrimitives.ReadUInt64BigEndian(hash[8..]);
        _h2 = BinaryPrimitives.ReadUInt64BigEndian(hash[16..]);
        _h3 = BinaryPrimitives.ReadUInt64BigEndian(hash[24..]);

        // Computed once: a key is hashed by every dictionary it passes through, and the fingerprint is a long string.
        _hashCode = HashCode.Combine(_h0, _h1, kind, fingerprint);
    }

    /// <summary>Gets the canonical fingerprint text of the vectors (see <see cref="EmbedderFingerprint.ToString"/>).</summary>
    public string Fingerprint { get; }

    /// <summary>Gets the input kind.</summary>
    public EmbeddingInputKind Kind { get; }

    /// <summary>Creates the key of <paramref name="text"/>.</summary>
    /// <param name="fingerprint">The canonical fingerprint text.</param>
    /// <param name="kind">The input kind.</param>
    /// <param name="text">The text, before any prefix.</param>
    /// <returns>The key.</returns>
    public static EmbeddingCacheKey Create(string fingerprint, EmbeddingInputKind kind, string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(fingerprint);
        ArgumentNullException.ThrowIfNull(text);
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        Span<byte> utf8 = max <= 1024 ? stackalloc byte[max] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        int length = Encoding.UTF8.GetBytes(text, utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], hash);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }

        return new EmbeddingCacheKey(fingerprint, kind, hash);
    }

    /// <summary>Recreates a key from its stored parts.</summary>
    /// <param name="fingerprint">The canonical fingerprint text.</param>
    /// <param name="kind">The input kind.</param>
    /// <param name="hash">The 32-byte SHA-256 of the text.</param>
    /// <returns>The key.</returns>
    public static EmbeddingCacheKey FromHash(string fingerprint, EmbeddingInputKind kind, ReadOnlySpan<byte> hash)
    {
        ArgumentException.ThrowIfNullOrEmpty(fingerprint);
        if (hash.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException($"A text hash is {SHA256.HashSizeInBytes} bytes; this one has {hash.Length}.", nameof(hash));
        }

        return new EmbeddingCacheKey(fingerprint, kind, hash);
    }

    /// <summary>Writes the 32-byte SHA-256 of the text.</summary>
    /// <param name="destination">At least 32 bytes.</param>
    public void CopyHashTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _h0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _h1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _h2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _h3);
    }

    /// <summary>Returns the 32-byte SHA-256 of the text.</summary>
    /// <returns>A new array.</returns>
    public byte[] GetHash()
    {
        var hash = new byte[SHA256.HashSizeInBytes];
        CopyHashTo(hash);
        return hash;
    }

    /// <inheritdoc />
    public bool Equals(EmbeddingCacheKey other) =>
        _h0 == other._h0 && _h1 == other._h1 && _h2 == other._h2 && _h3 == other._h3 && Kind == other.Kind
        && string.Equals(Fingerprint, other.Fingerprint, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is EmbeddingCacheKey other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _hashCode;

    /// <summary>Compares two keys.</summary>
    /// <param name="left">One key.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(EmbeddingCacheKey left, EmbeddingCacheKey right) => left.Equals(right);

    /// <summary>Compares two keys.</summary>
    /// <param name="left">One key.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(EmbeddingCacheKey left, EmbeddingCacheKey right) => !left.Equals(right);
}

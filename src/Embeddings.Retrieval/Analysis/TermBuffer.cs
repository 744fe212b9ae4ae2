namespace Embeddings;

/// <summary>
/// The characters of one term as it passes through the <see cref="ITermFilter"/>s of a <see cref="TextAnalyzer"/>:
/// a growable buffer that filters read and rewrite in place, so a term costs no allocation until it is emitted.
/// </summary>
/// <remarks>Not thread-safe: each analysis call uses its own buffer.</remarks>
public sealed class TermBuffer
{
    private char[] _chars;

    /// <summary>Initializes an empty buffer.</summary>
    /// <param name="capacity">The initial capacity in characters; positive. Default: 64.</param>
    public TermBuffer(int capacity = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _chars = new char[capacity];
    }

    /// <summary>Gets the number of characters of the term.</summary>
    public int Length { get; private set; }

    /// <summary>Gets the term's characters, writable in place.</summary>
    public Span<char> Span => _chars.AsSpan(0, Length);

    /// <summary>Replaces the term with <paramref name="value"/>.</summary>
    /// <param name="value">The new characters.</param>
    public void Set(ReadOnlySpan<char> value)
    {
        EnsureCapacity(value.Length, keep: false);
        value.CopyTo(_chars);
        Length = value.Length;
    }

    /// <summary>Shortens the term to its first <paramref name="length"/> characters.</summary>
    /// <param name="length">The new length, from 0 to <see cref="Length"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or above <see cref="Length"/>.</exception>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        Length = length;
    }

    /// <summary>Sets the length to <paramref name="length"/>, keeping the characters that fit and growing the buffer as needed.</summary>
    /// <param name="length">The new length; zero or positive.</param>
    /// <returns>The term's characters at the new length; characters past the old length are unspecified until written.</returns>
    public Span<char> Resize(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        EnsureCapacity(length, keep: true);
        Length = length;
        return Span;
    }

    /// <inheritdoc />
    public override string ToString() => new(_chars, 0, Length);

    private void EnsureCapacity(int length, bool keep)
    {
        if (length > _chars.Length)
        {
            char[] grown = new char[Math.Max(length, _chars.Length * 2)];
            if (keep)
            {
                _chars.AsSpan(0, Length).CopyTo(grown);
            }

            _chars = grown;
        }
    }
}

using System.Text.RegularExpressions;

namespace Embeddings;

/// <summary>
/// Packs consecutive atoms (word pieces, sentences, paragraphs: spans of the document) into chunks within the
/// token budget, with overlap. Every chunk is measured with the real token counter before it is emitted, so a
/// counter that is not additive (subword merges, special tokens) can never push a chunk over the budget.
/// </summary>
internal sealed partial class ChunkPacker
{
    private readonly string _documentId;
    private readonly string _text;
    private readonly string _prefix;
    private readonly Func<string, int> _count;
    private readonly int _maxTokens;
    private readonly int _overlapTokens;
    private readonly int _overhead;
    private readonly int _available;

    public ChunkPacker(string documentId, string text, string? prefix, ChunkingOptions options)
    {
        ArgumentNullException.ThrowIfNull(documentId);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _documentId = documentId;
        _text = text;
        _prefix = prefix ?? string.Empty;
        _count = options.TokenCounter;
        _maxTokens = options.MaxTokens;
        _overlapTokens = options.OverlapTokens;
        _overhead = Count(string.Empty);
        int prefixTokens = Count(_prefix);
        _available = _maxTokens - prefixTokens;
        if (_available <= 0)
        {
            throw new ArgumentException(
                $"The chunk prefix takes {prefixTokens} of the {_maxTokens} tokens a chunk may have, leaving no room for content; shorten the prefix or raise MaxTokens.",
                nameof(prefix));
        }
    }

    public string Text => _text;

    /// <summary>Whether the span, with the prefix, fits the budget.</summary>
    public bool Fits(int start, int end) => Measure(start, end) <= _maxTokens;

    /// <summary>Appends the word pieces (<c>\S+\s*</c>) of a span.</summary>
    public void AddWordPieces(int start, int end, List<Span> atoms)
    {
        foreach (ValueMatch match in WordPieceRegex().EnumerateMatches(_text.AsSpan(start, end - start)))
        {
            atoms.Add(new Span(start + match.Index, start + match.Index + match.Length));
        }
    }

    public List<TextChunk> Pack(List<Span> atoms)
    {
        List<TextChunk> chunks = [];
        List<int> costs = new(atoms.Count);
        foreach (Span atom in atoms)
        {
            costs.Add(Cost(atom));
        }

        int i = 0;
        while (i < atoms.Count)
        {
            int j = i;
            int sum = 0;
            while (j < atoms.Count && (j == i || sum + costs[j] <= _available))
            {
                sum += costs[j];
                j++;
            }

            int tokens = Measure(atoms[i].Start, atoms[j - 1].End);
            while (tokens > _maxTokens && j - i > 1)
            {
                j--;
                tokens = Measure(atoms[i].Start, atoms[j - 1].End);
            }

            if (tokens > _maxTokens)
            {
                // One atom too long on its own (a huge word, a sentence without spaces): cut it into characters runs.
                List<Span> pieces = SplitByCharacters(atoms[i]);
                atoms.RemoveAt(i);
                costs.RemoveAt(i);
                atoms.InsertRange(i, pieces);
                costs.InsertRange(i, pieces.Select(Cost));
                continue;
            }

            chunks.Add(MakeChunk(chunks.Count, atoms[i].Start, atoms[j - 1].End, tokens));
            if (j == atoms.Count)
            {
                break;
            }

            int next = j;
            int overlap = 0;
            while (next - 1 > i && overlap + costs[next - 1] <= _overlapTokens)
            {
                overlap += costs[next - 1];
                next--;
            }

            i = next;
        }

        return chunks;
    }

    private List<Span> SplitByCharacters(Span atom)
    {
        List<Span> pieces = [];
        int start = atom.Start;
        int guess = 64;
        while (start < atom.End)
        {
            // Gallop from the last piece's length, doubling until the run no longer fits, so each probe costs about
            // one piece rather than the rest of the atom (a binary search over the whole rest made a 1 MB word quadratic).
            int remaining = atom.End - start;
            int low = 0, high = remaining;
            int probe = Math.Min(guess, remaining);
            while (true)
            {
                if (probe < remaining && IsInsideSurrogatePair(start + probe))
                {
                    probe++;
                }

                if (!Fits(start, start + probe))
                {
                    high = probe - 1;
                    break;
                }

                low = probe;
                if (probe == remaining)
                {
                    break;
                }

                probe = (int)Math.Min(probe * 2L, remaining);
            }

            // Binary search the longest run that fits within the bracket, never ending between the halves of a surrogate pair.
            while (low < high)
            {
                int middle = low + ((high - low + 1) / 2);
                if (IsInsideSurrogatePair(start + middle))
                {
                    if (middle - 1 > low)
                    {
                        middle--;
                    }
                    else if (middle + 1 <= high)
                    {
                        middle++;
                    }
                    else
                    {
                        break;
                    }
                }

                if (Fits(start, start + middle))
                {
                    low = middle;
                }
                else
                {
                    high = middle - 1;
                }
            }

            if (low == 0)
            {
                throw new ArgumentException(
                    $"The text of document '{_documentId}' at offset {start} cannot fit a chunk of {_maxTokens} tokens even one character at a time; raise MaxTokens or shorten the prefix.");
            }

            pieces.Add(new Span(start, start + low));
            start += low;
            guess = Math.Max(low, 16);
        }

        return pieces;
    }

    private bool IsInsideSurrogatePair(int index) =>
        index > 0 && index < _text.Length && char.IsLowSurrogate(_text[index]) && char.IsHighSurrogate(_text[index - 1]);

    private TextChunk MakeChunk(int index, int start, int end, int tokens)
    {
        string content = _text[start..end].TrimEnd();
        return new TextChunk(_documentId, index, _prefix + content, content, start, content.Length, tokens);
    }

    private int Cost(Span atom) => Math.Max(0, Count(_text[atom.Start..atom.End].TrimEnd()) - _overhead);

    private int Measure(int start, int end) => Count(_prefix + _text.AsSpan(start, end - start).TrimEnd().ToString());

    private int Count(string text)
    {
        int count = _count(text);
        if (count < 0)
        {
            throw new InvalidOperationException($"The token counter returned {count} for a text of {text.Length} characters; counts must be >= 0.");
        }

        return count;
    }

    [GeneratedRegex(@"\S+\s*", RegexOptions.CultureInvariant)]
    private static partial Regex WordPieceRegex();

    /// <summary>A half-open range [Start, End) of the document.</summary>
    internal readonly record struct Span(int Start, int End);
}

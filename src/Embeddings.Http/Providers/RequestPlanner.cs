using System.Text;

namespace Embeddings.Http;

/// <summary>Splits inputs into consecutive requests that respect an inputs-per-request and a tokens-per-request limit.</summary>
internal static class RequestPlanner
{
    /// <summary>The conservative estimate: UTF-8 bytes plus two special tokens. No byte-level BPE or WordPiece token covers less than one byte.</summary>
    public static int EstimateTokens(string text) => Encoding.UTF8.GetByteCount(text) + 2;

    /// <summary>Returns (start, count) ranges covering <paramref name="tokens"/> in order. An input over the token limit goes alone.</summary>
    public static List<(int Start, int Count)> Plan(IReadOnlyList<int> tokens, int maxInputs, long maxTokens)
    {
        var batches = new List<(int Start, int Count)>();
        int start = 0;
        long sum = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            int count = i - start;
            if (count > 0 && (count == maxInputs || sum + tokens[i] > maxTokens))
            {
                batches.Add((start, count));
                start = i;
                sum = 0;
            }

            sum += tokens[i];
        }

        batches.Add((start, tokens.Count - start));
        return batches;
    }

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="maxBytes"/> UTF-8 bytes without splitting a character.</summary>
    public static string TruncateUtf8(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        int bytes = 0;
        int end = 0;
        while (end < text.Length)
        {
            int width = char.IsHighSurrogate(text[end]) && end + 1 < text.Length && char.IsLowSurrogate(text[end + 1]) ? 2 : 1;
            int charBytes = Encoding.UTF8.GetByteCount(text.AsSpan(end, width));
            if (bytes + charBytes > maxBytes)
            {
                break;
            }

            bytes += charBytes;
            end += width;
        }

        return text[..end];
    }
}

using System.Globalization;

namespace Embeddings.Static;

/// <summary>Reads word vectors in text form: word2vec text and fastText .vec (with a header line) and GloVe (without).</summary>
internal static class TextVectorReader
{
    public static (string[] Words, float[] Vectors, int Dimensions) Read(string path, bool? hasHeader, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var words = new List<string>();
        var vectors = new List<float>();
        int dimensions = 0;
        int? promised = null;
        int lineNumber = 0;
        while (reader.ReadLine() is string line)
        {
            lineNumber++;
            if ((lineNumber & 4095) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            ReadOnlySpan<char> text = line.AsSpan().TrimEnd();
            if (text.IsEmpty)
            {
                continue;
            }

            if (lineNumber == 1 && hasHeader != false && TryParseHeader(text, out int headerCount, out int headerDimensions))
            {
                promised = headerCount;
                dimensions = headerDimensions;
                continue;
            }

            if (lineNumber == 1 && hasHeader == true)
            {
                throw Corrupt(path, lineNumber, $"the header line '{line}' is not \"count dimensions\"");
            }

            if (dimensions == 0)
            {
                dimensions = CountFields(text) - 1;
                if (dimensions <= 0)
                {
                    throw Corrupt(path, lineNumber, "the first line holds a word without values");
                }
            }

            // Values are the last `dimensions` fields; whatever precedes them (spaces included) is the word.
            int end = text.Length;
            int start = vectors.Count;
            for (int d = 0; d < dimensions; d++)
            {
                vectors.Add(0);
            }

            for (int d = dimensions - 1; d >= 0; d--)
            {
                int space = text[..end].LastIndexOf(' ');
                if (space < 0)
                {
                    throw Corrupt(path, lineNumber, $"the line has {dimensions - d - 1} values; {dimensions} are expected");
                }

                ReadOnlySpan<char> field = text[(space + 1)..end];
                if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                {
                    throw Corrupt(path, lineNumber, $"value '{field}' is not a finite number (expected {dimensions} values after the word)");
                }

                vectors[start + d] = value;
                end = space;
                while (end > 0 && text[end - 1] == ' ')
                {
                    end--;
                }
            }

            if (end == 0)
            {
                throw Corrupt(path, lineNumber, $"the line has no word before its {dimensions} values");
            }

            words.Add(text[..end].ToString());
        }

        if (words.Count == 0)
        {
            throw Corrupt(path, lineNumber, "the file holds no vectors");
        }

        if (promised is int expected && expected != words.Count)
        {
            throw Corrupt(path, lineNumber, $"the header promises {expected} vectors but the file holds {words.Count} (truncated or mislabelled)");
        }

        return (words.ToArray(), vectors.ToArray(), dimensions);
    }

    private static bool TryParseHeader(ReadOnlySpan<char> text, out int count, out int dimensions)
    {
        count = dimensions = 0;
        int space = text.IndexOf(' ');
        return space > 0
            && int.TryParse(text[..space], NumberStyles.None, CultureInfo.InvariantCulture, out count)
            && int.TryParse(text[(space + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out dimensions)
            && count > 0 && dimensions > 0;
    }

    private static int CountFields(ReadOnlySpan<char> text)
    {
        int fields = 0;
        bool inField = false;
        foreach (char c in text)
        {
            if (c == ' ')
            {
                inField = false;
            }
            else if (!inField)
            {
                inField = true;
                fields++;
            }
        }

        return fields;
    }

    private static InvalidDataException Corrupt(string path, int line, string problem) =>
        new($"Static model file '{path}' is corrupt at line {line}: {problem}.");
}

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace Embeddings.Benchmarks.Onnx;

/// <summary>
/// Keeps the vectors a generator produced in one file per model, keyed by the SHA-256 of input kind and text, so that
/// a rerun of the MTEB reproduction only embeds what it has not seen. Vectors are stored exactly as produced.
/// </summary>
internal sealed class EmbeddingFileCache : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private static readonly byte[] Magic = "EMBCACHE1"u8.ToArray();
    private readonly string _path;
    private readonly Dictionary<string, float[]> _vectors = new(StringComparer.Ordinal);
    private int _added;

    public EmbeddingFileCache(IEmbeddingGenerator<string, Embedding<float>> inner, string path)
        : base(inner)
    {
        _path = Path.GetFullPath(path);
        if (File.Exists(_path))
        {
            Load();
        }
    }

    /// <summary>Gets how many inputs were served from the file.</summary>
    public int Hits { get; private set; }

    /// <summary>Gets how many inputs were embedded by the inner generator.</summary>
    public int Misses { get; private set; }

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        string[] texts = [.. values];
        string kind = options.GetInputKind().ToString();
        string[] keys = [.. texts.Select(t => Key(kind, t))];
        int[] missing = [.. Enumerable.Range(0, texts.Length).Where(i => !_vectors.ContainsKey(keys[i]))];
        if (missing.Length > 0)
        {
            GeneratedEmbeddings<Embedding<float>> fresh = await base.GenerateAsync(missing.Select(i => texts[i]), options, cancellationToken).ConfigureAwait(false);
            for (int m = 0; m < missing.Length; m++)
            {
                _vectors[keys[missing[m]]] = fresh[m].Vector.ToArray();
            }

            _added += missing.Length;
            Misses += missing.Length;
        }

        Hits += texts.Length - missing.Length;
        return new GeneratedEmbeddings<Embedding<float>>(keys.Select(k => new Embedding<float>(_vectors[k])));
    }

    /// <summary>Writes the vectors to the file (through a temporary file and a rename) when any were added.</summary>
    public void Save()
    {
        if (_added == 0)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        string temporary = _path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write(Magic);
            writer.Write(_vectors.Count);
            foreach ((string key, float[] vector) in _vectors)
            {
                writer.Write(Convert.FromHexString(key));
                writer.Write(vector.Length);
                writer.Write(MemoryMarshal.AsBytes(vector.AsSpan()));
            }
        }

        File.Move(temporary, _path, overwrite: true);
        _added = 0;
    }

    private static string Key(string kind, string text) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(kind + "\u0000" + text)));

    private void Load()
    {
        using var stream = File.OpenRead(_path);
        using var reader = new BinaryReader(stream);
        if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
        {
            throw new InvalidDataException($"'{_path}' is not an embedding cache file; delete it to rebuild.");
        }

        int count = reader.ReadInt32();
        for (int i = 0; i < count; i++)
        {
            string key = Convert.ToHexString(reader.ReadBytes(32));
            int dimensions = reader.ReadInt32();
            byte[] bytes = reader.ReadBytes(dimensions * sizeof(float));
            if (dimensions <= 0 || bytes.Length != dimensions * sizeof(float))
            {
                throw new InvalidDataException($"'{_path}' is cut short at entry {i} of {count}; delete it to rebuild.");
            }

            var vector = new float[dimensions];
            for (int d = 0; d < dimensions; d++)
            {
                vector[d] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(d * sizeof(float)));
            }

            _vectors[key] = vector;
        }
    }
}

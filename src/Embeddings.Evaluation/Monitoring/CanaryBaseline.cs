using System.Text.Json;

namespace Embeddings.Evaluation;

/// <summary>
/// A stored canary baseline: recall@k that a known-good pipeline reached on a fixed set of canary queries, saved
/// as JSON beside the index so later checks can compare against it.
/// </summary>
/// <param name="K">The cutoff k.</param>
/// <param name="RecallAtK">The mean recall@k the baseline reached.</param>
/// <param name="QueryCount">How many queries it was measured on.</param>
/// <param name="Fingerprint">The embedder fingerprint it was measured with (its text form), or <see langword="null"/>.</param>
/// <param name="CreatedAt">When it was measured.</param>
public sealed record CanaryBaseline(int K, double RecallAtK, int QueryCount, string? Fingerprint, DateTimeOffset CreatedAt)
{
    /// <summary>Saves the baseline as JSON, through a temporary file that is then renamed over <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        string temporary = full + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, CanaryBaselineJsonContext.Default.CanaryBaseline));
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>Loads a baseline written by <see cref="Save"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The baseline.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a canary baseline.</exception>
    public static CanaryBaseline Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Canary baseline '{full}' does not exist.", full);
        }

        try
        {
            CanaryBaseline? baseline = JsonSerializer.Deserialize(File.ReadAllText(full), CanaryBaselineJsonContext.Default.CanaryBaseline);
            if (baseline is null || baseline.K <= 0 || baseline.RecallAtK is < 0 or > 1 || double.IsNaN(baseline.RecallAtK))
            {
                throw new InvalidDataException($"Canary baseline '{full}' holds no valid baseline (k must be positive, recall in [0, 1]).");
            }

            return baseline;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Canary baseline '{full}' is not valid JSON: {e.Message}", e);
        }
    }
}

namespace Embeddings.Testing;

/// <summary>
/// A theory that needs fixtures from the <c>shared/</c> folder: where any of them is missing, every row reports
/// as skipped and the skip reason names each missing fixture (see <see cref="SharedFactAttribute"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    /// <summary>Initializes the attribute.</summary>
    /// <param name="fixtures">Paths below the shared folder that the test reads, for example <c>models/bert-tiny-random</c>.</param>
    public SharedTheoryAttribute(params string[] fixtures)
    {
        Fixtures = fixtures;
        Skip = SharedData.MissingReason(fixtures);
    }

    /// <summary>Gets the fixtures the test reads.</summary>
    public IReadOnlyList<string> Fixtures { get; }
}

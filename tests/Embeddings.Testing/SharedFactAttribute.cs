namespace Embeddings.Testing;

/// <summary>
/// A fact that needs fixtures from the <c>shared/</c> folder: where any of them is missing (a fresh clone with
/// nothing beside it), the test reports as skipped and the skip reason names each missing fixture. CI has the
/// folder and fails on any skip, so these tests always run there.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class SharedFactAttribute : FactAttribute
{
    /// <summary>Initializes the attribute.</summary>
    /// <param name="fixtures">Paths below the shared folder that the test reads, for example <c>data/scifact</c>.</param>
    public SharedFactAttribute(params string[] fixtures)
    {
        Fixtures = fixtures;
        Skip = SharedData.MissingReason(fixtures);
    }

    /// <summary>Gets the fixtures the test reads.</summary>
    public IReadOnlyList<string> Fixtures { get; }
}

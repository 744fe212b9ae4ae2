using Spectre.Console;

namespace Embeddings.Samples;

/// <summary>The step counter of one <see cref="SampleOutput.ProgressAsync{T}"/> bar; without a terminal it counts silently.</summary>
internal sealed class SampleProgress
{
    private readonly ProgressTask? _task;

    internal SampleProgress(ProgressTask? task) => _task = task;

    /// <summary>Adds <paramref name="steps"/> completed steps.</summary>
    /// <param name="steps">How many steps were completed.</param>
    public void Advance(double steps = 1) => _task?.Increment(steps);

    /// <summary>Sets the number of completed steps.</summary>
    /// <param name="completed">The completed steps.</param>
    public void Set(double completed)
    {
        if (_task is not null)
        {
            _task.Value = completed;
        }
    }
}

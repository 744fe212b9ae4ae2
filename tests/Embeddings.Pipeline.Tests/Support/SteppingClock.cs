using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Embeddings.Pipeline.Tests.Support;

/// <summary>
/// A <see cref="TimeProvider"/> over a <see cref="FakeTimeProvider"/> that reports every timer armed (its due time), so a
/// test can advance the fake clock exactly when the code under test waits, by exactly what it waits for.
/// </summary>
public sealed class SteppingClock : TimeProvider
{
    private readonly Channel<TimeSpan> _armed = Channel.CreateUnbounded<TimeSpan>();

    public FakeTimeProvider Fake { get; } = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = Fake.CreateTimer(callback, state, dueTime, period);
        Report(dueTime);
        return new ObservedTimer(timer, this);
    }

    /// <summary>
    /// Waits for <paramref name="work"/>, advancing the fake clock by each armed timer's due time that <paramref name="advance"/>
    /// accepts; returns the advances made, in order.
    /// </summary>
    public async Task<List<TimeSpan>> DriveAsync(Task work, Func<TimeSpan, bool> advance)
    {
        var advanced = new List<TimeSpan>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!work.IsCompleted)
        {
            Task<bool> next = _armed.Reader.WaitToReadAsync(stop.Token).AsTask();
            await Task.WhenAny(work, next);
            while (_armed.Reader.TryRead(out TimeSpan due))
            {
                if (due > TimeSpan.Zero && due != Timeout.InfiniteTimeSpan && advance(due))
                {
                    advanced.Add(due);
                    Fake.Advance(due);
                }
            }

            if (stop.IsCancellationRequested)
            {
                throw new TimeoutException("The work neither finished nor armed a timer within 30 s of real time.");
            }
        }

        await work.ContinueWith(_ => { }, TaskScheduler.Default);
        return advanced;
    }

    private void Report(TimeSpan dueTime) => _armed.Writer.TryWrite(dueTime);

    private sealed class ObservedTimer(ITimer inner, SteppingClock owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            bool changed = inner.Change(dueTime, period);
            owner.Report(dueTime);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

// .NET 8 builds of the libraries only: System.Threading.Lock arrived in .NET 9. The compiler turns `lock (x)` on a
// type of this name into EnterScope/Dispose, so this one is a Monitor lock with that shape and the code reads the
// same on both targets. Each library compiles its own copy (CS0436 is silenced where a friend assembly sees another).
#if !NET9_0_OR_GREATER
namespace System.Threading;

internal sealed class Lock
{
    private readonly object _gate = new();

    public void Enter() => Monitor.Enter(_gate);

    public void Exit() => Monitor.Exit(_gate);

    public Scope EnterScope()
    {
        Monitor.Enter(_gate);
        return new Scope(_gate);
    }

    public readonly ref struct Scope
    {
        private readonly object _gate;

        public Scope(object gate) => _gate = gate;

        public void Dispose() => Monitor.Exit(_gate);
    }
}
#endif

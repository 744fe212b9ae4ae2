using System.Linq.Expressions;

namespace Embeddings.VectorData.Internal;

/// <summary>A filter lambda whose captured objects are read from <see cref="Slots"/>.</summary>
internal sealed record ParameterizedFilter(LambdaExpression Lambda, ParameterExpression Slots);

/// <summary>
/// The structure of a filter expression with its captured objects taken out: two filters written at the same place in
/// the code (a new closure each call) have equal shapes and differ only in <see cref="Slots"/>, so they share one
/// compiled <see cref="FilterPlan"/>.
/// </summary>
/// <remarks>
/// Literals whose equality is their identity (strings, numbers, bools, chars, enums, null) stay in the shape by value.
/// Every other constant (a closure, <c>this</c>, a list, a <see cref="DateTime"/>, whose <c>Equals</c> ignores its
/// kind) becomes a slot: the plan reads the captured variable through it each time it runs.
/// A shape is only described when every node kind in the tree is one whose full identity the shape records;
/// <see cref="IsCacheable"/> is false otherwise, and such a filter is compiled per call.
/// </remarks>
internal sealed class FilterShape : IEquatable<FilterShape>
{
    [ThreadStatic]
    private static Walker? t_walker;

    private readonly object?[] _tokens;
    private readonly int _hash;

    private FilterShape(object?[] tokens, object?[] slots, bool cacheable)
    {
        _tokens = tokens;
        Slots = slots;
        IsCacheable = cacheable;
        var hash = default(HashCode);
        foreach (object? token in tokens)
        {
            hash.Add(token);
        }

        _hash = hash.ToHashCode();
    }

    /// <summary>Gets the captured objects, in the order the tree is visited.</summary>
    public object?[] Slots { get; }

    /// <summary>Gets a value indicating whether the shape describes the whole tree, so plans may be shared by it.</summary>
    public bool IsCacheable { get; }

    public static FilterShape Of(LambdaExpression filter)
    {
        // One walker per thread: a filter is translated per search call, and its lists would be garbage per call.
        Walker walker = t_walker ??= new Walker();
        walker.Reset();
        walker.Visit(filter);
        var shape = new FilterShape([.. walker.Tokens], [.. walker.Slots], walker.Cacheable);

        // The lists hold the app's captured objects; a thread's walker must not keep them alive.
        walker.Reset();
        return shape;
    }

    /// <summary>Rewrites the filter so each slot's constant is read from an <c>object?[]</c> parameter instead.</summary>
    public ParameterizedFilter Parameterize(LambdaExpression filter)
    {
        ParameterExpression slots = Expression.Parameter(typeof(object[]), "slots");
        var rewriter = new Rewriter(slots);
        var lambda = (LambdaExpression)rewriter.Visit(filter);
        return new ParameterizedFilter(lambda, slots);
    }

    public bool Equals(FilterShape? other) => other is not null && _hash == other._hash && _tokens.AsSpan().SequenceEqual(other._tokens);

    public override bool Equals(object? obj) => Equals(obj as FilterShape);

    public override int GetHashCode() => _hash;

    private static bool IsLiteral(ConstantExpression constant) =>
        constant.Value is null or string or bool or char or byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal or Enum;

    private sealed class Walker : ExpressionVisitor
    {
        // Tokens are compared by Equals, so shared boxes of the node kinds and small counts serve as well as fresh
        // ones and save a box per token per call.
        private static readonly object[] NodeTypes = [.. Enum.GetValues<ExpressionType>().Select(t => (object)t)];
        private static readonly object[] SmallInts = [.. Enumerable.Range(0, 16).Select(i => (object)i)];
        private static readonly object True = true;
        private static readonly object False = false;

        private readonly List<ParameterExpression> _parameters = [];

        public List<object?> Tokens { get; } = [];

        public List<object?> Slots { get; } = [];

        public bool Cacheable { get; private set; } = true;

        public void Reset()
        {
            _parameters.Clear();
            Tokens.Clear();
            Slots.Clear();
            Cacheable = true;
        }

        private static object Box(ExpressionType nodeType) =>
            (uint)nodeType < (uint)NodeTypes.Length && (ExpressionType)NodeTypes[(int)nodeType] == nodeType ? NodeTypes[(int)nodeType] : nodeType;

        private static object Box(int value) => (uint)value < (uint)SmallInts.Length ? SmallInts[value] : value;

        private static object Box(bool value) => value ? True : False;

        public override Expression? Visit(Expression? node)
        {
            if (node is null)
            {
                Tokens.Add(null);
                return null;
            }

            Tokens.Add(Box(node.NodeType));
            Tokens.Add(node.Type);
            switch (node)
            {
                case ConstantExpression constant:
                    if (IsLiteral(constant))
                    {
                        Tokens.Add(constant.Value);
                    }
                    else
                    {
                        Tokens.Add(Slot.Instance);
                        Slots.Add(constant.Value);
                    }

                    return node;

                case ParameterExpression parameter:
                    int index = _parameters.IndexOf(parameter);
                    if (index < 0)
                    {
                        index = _parameters.Count;
                        _parameters.Add(parameter);
                    }

                    Tokens.Add(Box(index));
                    return node;

                case MemberExpression member:
                    Tokens.Add(member.Member);
                    break;
                case MethodCallExpression call:
                    Tokens.Add(call.Method);
                    Tokens.Add(Box(call.Arguments.Count));
                    break;
                case BinaryExpression binary:
                    Tokens.Add(binary.Method);
                    Tokens.Add(Box(binary.IsLiftedToNull));
                    Cacheable &= binary.Conversion is null;
                    break;
                case UnaryExpression unary:
                    Tokens.Add(unary.Method);
                    break;
                case LambdaExpression lambda:
                    Tokens.Add(Box(lambda.Parameters.Count));
                    break;
                case NewExpression create:
                    Tokens.Add(create.Constructor);
                    Tokens.Add(Box(create.Arguments.Count));
                    Cacheable &= create.Members is null;
                    break;
                case NewArrayExpression array:
                    Tokens.Add(Box(array.Expressions.Count));
                    break;
                case TypeBinaryExpression typeTest:
                    Tokens.Add(typeTest.TypeOperand);
                    break;
                case ConditionalExpression:
                    break;
                default:
                    // Member inits, invocations, blocks, extensions: not described, so never shared.
                    Cacheable = false;
                    break;
            }

            return base.Visit(node);
        }
    }

    private sealed class Rewriter(ParameterExpression slots) : ExpressionVisitor
    {
        private int _next;

        protected override Expression VisitConstant(ConstantExpression node)
        {
            if (IsLiteral(node))
            {
                return node;
            }

            Expression read = Expression.ArrayIndex(slots, Expression.Constant(_next++));
            return node.Type == typeof(object) ? read : Expression.Convert(read, node.Type);
        }
    }

    // Marks where a slot was taken out; compared by reference.
    private sealed class Slot
    {
        public static readonly Slot Instance = new();
    }
}

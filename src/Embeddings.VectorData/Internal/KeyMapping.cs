using System.Globalization;

namespace Embeddings.VectorData.Internal;

/// <summary>Turns MEVD keys (string, Guid, int, long) into the string keys our indexes hold, and back.</summary>
internal static class KeyMapping
{
    public const string SupportedKeyTypes = "string, Guid, int, long";

    public static bool IsSupported(Type type) =>
        type == typeof(string) || type == typeof(Guid) || type == typeof(int) || type == typeof(long);

    public static string ToStorage(object? key, string paramName = "key") => key switch
    {
        null => throw new ArgumentNullException(paramName, "A record key may not be null."),
        string { Length: 0 } => throw new ArgumentException("A record key may not be empty.", paramName),
        string s => s,
        Guid g => g.ToString("D"),
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        _ => throw new NotSupportedException($"Key type {key.GetType().Name} is not supported; use {SupportedKeyTypes}."),
    };

    public static object FromStorage(string key, Type type)
    {
        if (type == typeof(string))
        {
            return key;
        }

        if (type == typeof(Guid))
        {
            return Guid.ParseExact(key, "D");
        }

        if (type == typeof(int))
        {
            return int.Parse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        if (type == typeof(long))
        {
            return long.Parse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        throw new NotSupportedException($"Key type {type.Name} is not supported; use {SupportedKeyTypes}.");
    }
}

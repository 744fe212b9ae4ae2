namespace Embeddings;

/// <summary>Lucene's one-byte document-length encodings (<c>org.apache.lucene.util.SmallFloat</c>), for <see cref="Bm25LengthEncoding"/>.</summary>
internal static class LuceneNorms
{
    // intToByte4 keeps the small lengths exact: 255 codes minus the ones the 4-bit float part needs for int.MaxValue.
    private static readonly int FreeValues = 255 - LongToInt4(int.MaxValue);

    public static byte IntToByte4(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        return value < FreeValues ? (byte)value : (byte)(FreeValues + LongToInt4(value - FreeValues));
    }

    public static int Byte4ToInt(byte value) => value < FreeValues ? value : FreeValues + (int)Int4ToLong(value - FreeValues);

    public static byte EncodeByte315Length(int length) => FloatToByte315(1f / MathF.Sqrt(length));

    public static double DecodeByte315Length(byte value)
    {
        float f = Byte315ToFloat(value);
        return 1.0 / (f * f);
    }

    private static int LongToInt4(long value)
    {
        int bits = 64 - (int)long.LeadingZeroCount(value);
        if (bits < 4)
        {
            return (int)value;
        }

        int shift = bits - 4;
        int encoded = (int)(value >>> shift) & 0x07;
        return encoded | ((shift + 1) << 3);
    }

    private static long Int4ToLong(int value)
    {
        long bits = value & 0x07;
        int shift = (value >>> 3) - 1;
        return shift == -1 ? bits : (bits | 0x08) << shift;
    }

    private static byte FloatToByte315(float f)
    {
        int bits = BitConverter.SingleToInt32Bits(f);
        int smallFloat = bits >> (24 - 3);
        if (smallFloat <= (63 - 15) << 3)
        {
            return bits <= 0 ? (byte)0 : (byte)1;
        }

        if (smallFloat >= ((63 - 15) << 3) + 0x100)
        {
            return 255;
        }

        return (byte)(smallFloat - ((63 - 15) << 3));
    }

    private static float Byte315ToFloat(byte value)
    {
        if (value == 0)
        {
            return 0f;
        }

        int bits = value << (24 - 3);
        bits += (63 - 15) << 24;
        return BitConverter.Int32BitsToSingle(bits);
    }
}

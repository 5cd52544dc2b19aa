using System.Text;
using Wren.Serialization;

namespace Wren.Tests.Serialization;

/// <summary>
/// Strings are encoded once into room for their largest UTF-8 length and moved down when their real length needs a
/// smaller header: whatever the characters, the header must be the smallest one for the bytes written.
/// </summary>
public sealed class StringEncodingTests
{
    public static TheoryData<string, int> Strings()
    {
        var data = new TheoryData<string, int>();
        var seen = new HashSet<string>();
        // (character, UTF-8 bytes it takes), at lengths around each point where the largest or the real length changes header.
        (string Text, int Bytes)[] characters = [("x", 1), ("ж", 2), ("漢", 3), ("🍺", 4)];
        int[] lengths = [0, 1, 10, 11, 15, 16, 31, 32, 84, 85, 86, 127, 128, 255, 256, 21_845, 21_846, 32_767, 32_768, 65_535, 65_536, 70_000];
        foreach ((string text, int bytes) in characters)
        {
            foreach (int length in lengths)
            {
                // A surrogate pair is two UTF-16 characters: count in UTF-16 characters, as the encoder does.
                int repeat = length / text.Length;
                string value = string.Concat(Enumerable.Repeat(text, repeat));
                if (seen.Add(value)) data.Add(value, repeat * bytes);
            }
        }
        data.Add("a" + new string('ж', 40) + "\uD800", 1 + 80 + 3); // a lone surrogate becomes U+FFFD, three bytes
        return data;
    }

    [Theory]
    [MemberData(nameof(Strings))]
    public void String_HasTheSmallestHeaderForItsBytes_AndRoundTrips(string value, int utf8Length)
    {
        byte[] bytes = WrenSerializer.Serialize(value);
        byte[] expectedHeader = utf8Length switch
        {
            <= 31 => [(byte)(0xa0 | utf8Length)],
            <= 255 => [0xd9, (byte)utf8Length],
            <= 65_535 => [0xda, (byte)(utf8Length >> 8), (byte)utf8Length],
            _ => [0xdb, (byte)(utf8Length >> 24), (byte)(utf8Length >> 16), (byte)(utf8Length >> 8), (byte)utf8Length],
        };
        Assert.Equal(expectedHeader, bytes[..expectedHeader.Length]);
        Assert.Equal(expectedHeader.Length + utf8Length, bytes.Length);
        Assert.Equal(Encoding.UTF8.GetBytes(value), bytes[expectedHeader.Length..]);
        Assert.Equal(value.Replace("\uD800", "\uFFFD"), WrenSerializer.Deserialize<string>(bytes));
    }
}

using System.Text;
using Wren.Tests.Support;

namespace Wren.Tests.Data;

/// <summary>
/// Objects split into chunks aligned to lines: whatever the chunk size, the chunks' bytes put back together are the
/// object, so every line is in exactly one chunk, whole. The object is in memory: a chunk of one byte of a 750 KB text
/// is a ranged read each, which the folder and S3 stores have their own tests for.
/// </summary>
public sealed class ChunkingTests
{
    private readonly WrenStorage _storage = new(new MemoryStorage(), null);

    private async Task<List<byte[]>> ChunksAsync(byte[] data, ObjectChunking chunking)
    {
        await _storage.PutAsync("object", data);
        var chunks = new List<byte[]>();
        int index = 0;
        foreach ((long offset, long length) in chunking.Split(data.Length))
        {
            var chunk = new ObjectChunk("object", null, "object", offset, length, data.Length, index++, chunking.AlignToLines, _storage);
            chunks.Add(await chunk.ReadAllBytesAsync());
        }
        return chunks;
    }

    public static TheoryData<string, int> Texts => new()
    {
        { "no final newline", 0 },
        { "crlf", 1 },
        { "long lines", 2 },
        { "multibyte", 3 },
        { "blank lines", 4 },
    };

    // One, two, three and four bytes in UTF-8, so chunk edges fall inside characters.
    private static readonly string[] Multibyte = ["a", "é", "中", "🙂"];

    private static byte[] Text(int kind)
    {
        var random = new Random(kind);
        var text = new StringBuilder();
        for (int line = 0; line < 300; line++)
        {
            string content = kind switch
            {
                2 => new string('x', random.Next(0, 5_000)),
                3 => string.Concat(Enumerable.Range(0, random.Next(0, 40)).Select(_ => Multibyte[random.Next(Multibyte.Length)])),
                4 => random.Next(3) == 0 ? "" : $"line {line}",
                _ => $"line {line} {new string('w', random.Next(0, 90))}",
            };
            text.Append(content).Append(kind == 1 ? "\r\n" : "\n");
        }
        string all = text.ToString();
        return Encoding.UTF8.GetBytes(kind == 0 ? all.TrimEnd('\n') : all);
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public async Task AlignedChunks_PutBackTogether_AreTheObject(string name, int kind)
    {
        byte[] data = Text(kind);
        foreach (long size in new long[] { 1, 2, 3, 7, 64, 1_000, 4_096, 65_536, data.Length, data.Length + 5 })
        {
            List<byte[]> chunks = await ChunksAsync(data, new ObjectChunking { ChunkBytes = size });
            Assert.True(data.AsSpan().SequenceEqual(chunks.SelectMany(c => c).ToArray()), $"{name}: chunks of {size} bytes do not make up the object");
            // Each chunk holds whole lines: it is empty, or ends in a newline, or ends the object.
            int end = 0;
            foreach (byte[] chunk in chunks)
            {
                end += chunk.Length;
                Assert.True(chunk.Length == 0 || chunk[^1] == '\n' || end == data.Length, $"{name}: a chunk of {size} bytes ends inside a line");
            }
        }
    }

    [Fact]
    public async Task Lines_AreCountedOnce_AcrossUtf8ChunkEdges()
    {
        byte[] data = Text(3);
        int lines = Encoding.UTF8.GetString(data).Split('\n').Length - 1;
        int counted = 0;
        foreach ((long offset, long length) in new ObjectChunking { ChunkBytes = 97 }.Split(data.Length))
        {
            await _storage.PutAsync("utf8", data);
            var chunk = new ObjectChunk("utf8", null, "utf8", offset, length, data.Length, 0, true, _storage);
            using TextReader reader = chunk.OpenText();
            while (await reader.ReadLineAsync() is { } line)
            {
                Assert.DoesNotContain('\uFFFD', line);
                counted++;
            }
        }
        Assert.Equal(lines, counted);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData((1 << 20) + 7)]
    public async Task ObjectsOfAnySize_SplitIntoChunksThatCoverThem(int size)
    {
        byte[] data = new byte[size];
        new Random(size).NextBytes(data);
        List<byte[]> chunks = await ChunksAsync(data, new ObjectChunking { ChunkBytes = 65_536 });
        Assert.Equal(size == 0 ? 0 : (size + 65_535) / 65_536, chunks.Count);
        Assert.Equal(data, chunks.SelectMany(c => c).ToArray());
        List<byte[]> raw = await ChunksAsync(data, new ObjectChunking { ChunkBytes = 65_536, AlignToLines = false });
        Assert.All(raw.SkipLast(1), c => Assert.Equal(65_536, c.Length));
        Assert.Equal(data, raw.SelectMany(c => c).ToArray());
    }

    [Fact]
    public void ChunksPerObject_SplitsIntoThatMany()
    {
        Assert.Equal([(0L, 34L), (34L, 34L), (68L, 32L)], new ObjectChunking { ChunksPerObject = 3 }.Split(100));
        Assert.Equal([(0L, 100L)], new ObjectChunking().Split(100));
        Assert.Equal([(0L, 1L), (1L, 1L)], new ObjectChunking { ChunksPerObject = 5 }.Split(2));
    }

    [Fact]
    public void Chunking_WithBadOptions_NamesEveryProblem()
    {
        var error = Assert.Throws<ArgumentException>(() => new ObjectChunking { ChunkBytes = 0, ChunksPerObject = -1 }.Validate());
        Assert.Contains("ChunkBytes is 0", error.Message);
        Assert.Contains("ChunksPerObject is -1", error.Message);
        Assert.Contains("both set", error.Message);
    }
}

// Count words in text files in storage: upload a few generated books, count each one's words in chunks smaller than
// the books (every line lands in exactly one chunk), add the counts up, and check them against a count made here.
using System.Diagnostics;
using System.Text;
using Wren;

const int Books = 4;
string prefix = $"examples/wordcount/{DateTime.UtcNow:yyyyMMdd-HHmmss}/";
string[] vocabulary = ["wren", "lambda", "map", "chunk", "storage", "future", "worker", "batch", "line", "word"];

await using var executor = WrenExecutor.Create();
var clock = Stopwatch.StartNew();
var expected = new Dictionary<string, long>();
for (int book = 0; book < Books; book++)
{
    var random = new Random(book);
    var text = new StringBuilder();
    for (int line = 0; line < 5_000 * (book + 1); line++)
    {
        string[] words = [.. Enumerable.Range(0, random.Next(0, 15)).Select(_ => vocabulary[random.Next(vocabulary.Length)])];
        foreach (string word in words) expected[word] = expected.GetValueOrDefault(word) + 1;
        text.Append(string.Join(' ', words)).Append('\n');
    }
    await executor.Storage.PutAsync($"{prefix}book{book}.txt", Encoding.UTF8.GetBytes(text.ToString()));
}
Console.WriteLine($"Uploaded {Books} books to {executor.Storage.Location}/{prefix}");

FutureList<Dictionary<string, long>> counts = executor.MapObjects(prefix, (ObjectChunk chunk) =>
{
    var found = new Dictionary<string, long>();
    using TextReader reader = chunk.OpenText();
    while (reader.ReadLine() is { } line)
        foreach (string word in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            found[word] = found.GetValueOrDefault(word) + 1;
    return found;
}, new ObjectChunking { ChunkBytes = 64 * 1024 });

Dictionary<string, long> total = [];
foreach (Dictionary<string, long> part in await counts)
    foreach ((string word, long count) in part) total[word] = total.GetValueOrDefault(word) + count;

foreach ((string word, long count) in total.OrderByDescending(p => p.Value)) Console.WriteLine($"{word,-10} {count,8:N0}");
bool right = total.Count == expected.Count && total.All(p => expected.GetValueOrDefault(p.Key) == p.Value);
Console.WriteLine($"{counts.Count} chunks on {executor.Backend} in {clock.Elapsed.TotalSeconds:F1} s; {(right ? "matches" : "DOES NOT MATCH")} the count made here");
foreach (string key in Enumerable.Range(0, Books).Select(b => $"{prefix}book{b}.txt")) await executor.Storage.DeleteAsync(key);
return right ? 0 : 1;

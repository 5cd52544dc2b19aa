// Multiply two matrices by row blocks: each call gets a block of A's rows as its input and multiplies it by B (captured
// by the lambda, so shipped once with the function); the blocks are put back together and checked against a local multiply.
using System.Diagnostics;
using Wren;
using Wren.Deploy.Progress;

const int N = 400;
const int BlockRows = 50;

var random = new Random(42);
double[,] a = RandomMatrix(N, N, random);
double[,] b = RandomMatrix(N, N, random);

await using var executor = WrenExecutor.Create();
var clock = Stopwatch.StartNew();
IEnumerable<double[,]> rowBlocks = Enumerable.Range(0, N / BlockRows).Select(i => Rows(a, i * BlockRows, BlockRows));
var progress = new MapProgressDisplay(Console.Error, interactive: !Console.IsErrorRedirected);
FutureList<double[,]> futures = executor.Map((double[,] rows) => Multiply(rows, b), rowBlocks, new MapOptions { Progress = progress.Progress });
double[][,] blocks = await progress.ShowAsync("blocks", futures.GetResultsAsync());
double[,] product = new double[N, N];
for (int block = 0; block < blocks.Length; block++)
    for (int i = 0; i < BlockRows; i++)
        for (int j = 0; j < N; j++)
            product[block * BlockRows + i, j] = blocks[block][i, j];
Console.WriteLine($"{N}x{N} product from {blocks.Length} blocks on {executor.Backend} in {clock.ElapsedMilliseconds} ms");

double[,] expected = Multiply(a, b);
double worst = 0;
for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
        worst = Math.Max(worst, Math.Abs(product[i, j] - expected[i, j]));
Console.WriteLine($"Largest difference from a local multiply: {worst:E2} {(worst < 1e-9 ? "OK" : "WRONG")}");
return worst < 1e-9 ? 0 : 1;

static double[,] RandomMatrix(int rows, int columns, Random random)
{
    var m = new double[rows, columns];
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < columns; j++)
            m[i, j] = random.NextDouble() - 0.5;
    return m;
}

static double[,] Rows(double[,] m, int first, int count)
{
    int columns = m.GetLength(1);
    var rows = new double[count, columns];
    for (int i = 0; i < count; i++)
        for (int j = 0; j < columns; j++)
            rows[i, j] = m[first + i, j];
    return rows;
}

static double[,] Multiply(double[,] x, double[,] y)
{
    int n = x.GetLength(0), k = x.GetLength(1), m = y.GetLength(1);
    var result = new double[n, m];
    for (int i = 0; i < n; i++)
        for (int p = 0; p < k; p++)
        {
            double xip = x[i, p];
            for (int j = 0; j < m; j++) result[i, j] += xip * y[p, j];
        }
    return result;
}

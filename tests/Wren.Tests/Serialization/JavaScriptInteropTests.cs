using Wren.Serialization;
using Wren.Tests.Support;

namespace Wren.Tests.Serialization;

/// <summary>A record with the shape of the JavaScript object "record" in tests/interop/encode-samples.js.</summary>
public sealed record InteropRecord(
    string Name, long Id, double Score, int[] Counts, DateTime When, Dictionary<string, object?> Tags, byte[] Blob,
    InteropChild? Child, List<string> Labels, bool Active);

public sealed record InteropChild(string Label, float Ratio);

/// <summary>
/// Round trips through the reference implementation, @msgpack/msgpack under node, of every .NET type Wren maps to a
/// standard MessagePack type, written with Wren's default options: (a) what Wren writes decodes in JavaScript to the
/// same values, and what JavaScript encodes again from them reads back in Wren as the values written; (a') the same
/// with the library's default options, for every value they hold exactly; (b) what JavaScript writes decodes in Wren
/// to the expected values, into object and into typed targets.
/// </summary>
[Trait("Category", "Slow")]
public sealed class JavaScriptInteropTests(ReferenceImplementation javaScript) : IClassFixture<ReferenceImplementation>
{
    private static readonly WrenSerializerOptions Standard = new() { RawBlocks = false };

    // ---- (a) Wren writes, JavaScript reads ----

    public static TheoryData<string> WrenSampleNames() => Rows(WrenSamples.All.Select(s => s.Name));

    [RequiresToolTheory("node", InteropPackages = true)]
    [MemberData(nameof(WrenSampleNames))]
    public void WrenBytes_DecodeInJavaScriptToTheSameValues(string sample)
    {
        WrenSample s = WrenSamples.ByName[sample];
        JsOutcome outcome = javaScript.WrenSample(sample);
        Assert.Null(outcome.WriteError);
        Assert.True(outcome.Error is null, $"@msgpack/msgpack could not decode {Same.Describe(outcome.Written)}: {outcome.Error}");
        Assert.Equal(s.ExpectedRendering, outcome.Rendering);

        // JavaScript's own encoding of what it decoded reads back in Wren as the value written.
        object? back = WrenSerializer.Deserialize(outcome.Reencoded, s.Declared, s.Options);
        Same.Assert(s.Value, back, $"{sample} (re-encoded by JavaScript)", numbersByValue: true);
    }

    // ---- (a') the same through @msgpack/msgpack's default options ----

    public static TheoryData<string> WrenSampleNamesExactWithLibraryDefaults() =>
        Rows(WrenSamples.All.Where(s => LibraryDefaults.KeepExactly(s.Value)).Select(s => s.Name));

    [RequiresToolTheory("node", InteropPackages = true)]
    [MemberData(nameof(WrenSampleNamesExactWithLibraryDefaults))]
    public void WrenBytes_RoundTripThroughJavaScriptWithTheLibraryDefaults(string sample)
    {
        WrenSample s = WrenSamples.ByName[sample];
        JsOutcome outcome = javaScript.WrenSample(sample, libraryDefaults: true);
        Assert.Null(outcome.WriteError);
        Assert.True(outcome.Error is null, $"@msgpack/msgpack with its defaults could not decode {Same.Describe(outcome.Written)}: {outcome.Error}");
        object? back = WrenSerializer.Deserialize(outcome.Reencoded, s.Declared, s.Options);
        Same.Assert(s.Value, back, $"{sample} (re-encoded by JavaScript with the library's defaults)", numbersByValue: true);
    }

    [Fact]
    public void LibraryDefaults_LoseOnlyIntegersBeyond2To53AndSubMillisecondTimes()
    {
        // JavaScript's defaults decode 64-bit integers to Number (exact to 2^53) and timestamps to Date (milliseconds).
        string[] lossy =
            [
                "long 9007199254740993", "long 9223372036854775807", "long -9007199254740993", "long -9223372036854775808",
                "ulong 2^63", "ulong max", "DateTime 2024 with ticks (timestamp 64)", "DateTime 1900 (timestamp 96)",
                "DateTime before 1970 by a tick (timestamp 96)", "DateTime max", "long array", "record", "nint min", "nuint max",
                "ulong enum max", "TimeSpan max", "DateTimeOffset -08:00 with ticks", "BigInteger within ulong", "ulong array",
                "DateTime array", "List<long>", "List<ulong>", "Dictionary<string, long>",
            ];
        Assert.Equal(
            string.Join(", ", lossy.Order(StringComparer.Ordinal)),
            string.Join(", ", WrenSamples.All.Where(s => !LibraryDefaults.KeepExactly(s.Value)).Select(s => s.Name).Order(StringComparer.Ordinal)));
    }

    // ---- (b) JavaScript writes, Wren reads ----

    public static TheoryData<string> JsSampleNames() => Rows(JsSamples.Expected.Keys);

    private static TheoryData<string> Rows(IEnumerable<string> names)
    {
        var rows = new TheoryData<string>();
        foreach (string name in names) rows.Add(name);
        return rows;
    }

    [RequiresToolFact("node", InteropPackages = true)]
    public void JavaScriptSamples_AreTheOnesTheTestsExpect() =>
        Assert.Equal(JsSamples.Expected.Keys.Order(StringComparer.Ordinal), javaScript.JsSamples.Keys.Order(StringComparer.Ordinal));

    [RequiresToolTheory("node", InteropPackages = true)]
    [MemberData(nameof(JsSampleNames))]
    public void JavaScriptBytes_DecodeInWrenToTheExpectedValues(string sample)
    {
        Assert.True(javaScript.JsSamples.TryGetValue(sample, out byte[]? bytes), $"encode-samples.js printed no sample named {sample}");
        foreach ((Type target, object? expected) in JsSamples.Expected[sample])
        {
            string path = $"{sample} read as {target.Name}";
            if (expected is Fails fails)
            {
                var error = Assert.Throws<WrenSerializationException>(() => WrenSerializer.Deserialize(bytes, target));
                Assert.Contains(fails.MessagePart, error.Message);
                continue;
            }
            object? actual;
            try
            {
                actual = WrenSerializer.Deserialize(bytes, target);
            }
            catch (WrenSerializationException e)
            {
                Assert.Fail($"{path}: {e.Message}");
                throw;
            }
            Same.Assert(expected, actual, path);
        }
    }

    // ---- a few cases spelled out ----

    [RequiresToolFact("node", InteropPackages = true)]
    public void Record_WrittenWithoutRawBlocks_IsAMapOfItsPropertiesInJavaScript()
    {
        var record = new InteropRecord("w", 1, 0.1, [1, 2], new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), new() { ["k"] = "v" }, [255], null, ["l"], false);
        JsOutcome outcome = javaScript.RoundTrip([WrenSerializer.Serialize(record, Standard)])[0];
        Assert.Equal(
            """{"map":{"Name":"w","Id":1,"Score":{"f64":"3fb999999999999a"},"Counts":[1,2],"When":{"ts":[1704067200,0]},"Tags":{"map":{"k":"v"}},"Blob":{"bin":"ff"},"Child":null,"Labels":["l"],"Active":false}}""",
            outcome.Rendering);
    }

    [RequiresToolFact("node", InteropPackages = true)]
    public void DoubleArray_IsAStandardArrayByDefault_AndARawBlockOnlyWhenAskedFor()
    {
        double[] values = [1.5, -2];
        List<int> counts = [1, 2, 300, -4];
        IReadOnlyList<JsOutcome> outcomes = javaScript.RoundTrip([
            WrenSerializer.Serialize(values), WrenSerializer.Serialize(values, new WrenSerializerOptions { RawBlocks = true }), WrenSerializer.Serialize(counts)]);
        Assert.Equal("""[{"f64":"3ff8000000000000"},-2]""", outcomes[0].Rendering);
        // Asked for, Wren's extension 89: element kind 11 (double), then the doubles little-endian. JavaScript keeps it opaque.
        Assert.Equal("""{"ext":[89,"0b000000000000f83f00000000000000c0"]}""", outcomes[1].Rendering);
        Assert.Equal("[1,2,300,-4]", outcomes[2].Rendering);
        // Wren reads back JavaScript's own encodings: its integers among doubles, and the opaque extension.
        Assert.Equal(values, WrenSerializer.Deserialize<double[]>(outcomes[0].Reencoded));
        Assert.Equal(values, WrenSerializer.Deserialize<double[]>(outcomes[1].Reencoded));
        Assert.Equal(counts, WrenSerializer.Deserialize<List<int>>(outcomes[2].Reencoded));
    }

    [RequiresToolFact("node", InteropPackages = true)]
    public void InvalidBytes_AreReportedByJavaScript_NotHung()
    {
        // The second line is a str 8 header that promises more bytes than follow.
        IReadOnlyList<JsOutcome> outcomes = javaScript.RoundTrip([[0xc3], [0xd9, 0x05, 0x61]]);
        Assert.Equal("true", outcomes[0].Rendering);
        Assert.NotNull(outcomes[1].Error);
    }
}

/// <summary>
/// Which values come back exactly from @msgpack/msgpack's default options: they decode 64-bit integers to Number, exact
/// only up to 2^53 in magnitude, and timestamps to Date, which keeps milliseconds.
/// </summary>
internal static class LibraryDefaults
{
    private const decimal MaxSafeInteger = 9007199254740991;

    public static bool KeepExactly(object? value) => value switch
    {
        null or string or bool or float or double or Half or decimal or Guid or Uri or Version or byte[] or MessagePackExtension => true,
        DateTime time => time.Ticks % TimeSpan.TicksPerMillisecond == 0,
        DateTimeOffset instant => instant.UtcTicks % TimeSpan.TicksPerMillisecond == 0,
        TimeSpan span => SafeInteger(span.Ticks),
        TimeOnly time => SafeInteger(time.Ticks),
        Enum e => SafeInteger(Convert.ToDecimal(e, System.Globalization.CultureInfo.InvariantCulture)),
        nint number => SafeInteger(number),
        nuint number => SafeInteger(number),
        char c => SafeInteger(c),
        DateOnly day => SafeInteger(day.DayNumber),
        sbyte or byte or short or ushort or int or uint or long or ulong => SafeInteger(Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture)),
        // Beyond 64 bits these are strings, which JavaScript keeps.
        System.Numerics.BigInteger big => big < long.MinValue || big > ulong.MaxValue || SafeInteger((decimal)big),
        Int128 wide => KeepExactly((System.Numerics.BigInteger)wide),
        UInt128 wide => KeepExactly((System.Numerics.BigInteger)wide),
        System.Numerics.Complex => true,
        System.Collections.IDictionary map => map.Values.Cast<object?>().All(KeepExactly),
        System.Collections.IEnumerable items => items.Cast<object?>().All(KeepExactly),
        System.Runtime.CompilerServices.ITuple tuple => Enumerable.Range(0, tuple.Length).All(i => KeepExactly(tuple[i])),
        _ => value.GetType().GetProperties().Where(p => p.GetIndexParameters().Length == 0).All(p => KeepExactly(p.GetValue(value))),
    };

    private static bool SafeInteger(decimal value) => Math.Abs(value) <= MaxSafeInteger;
}

/// <summary>What JavaScript made of one value: its rendering and its own encoding, or the decoder's error.</summary>
public sealed record JsOutcome(byte[] Written, byte[] Reencoded, string Rendering, string? Error, Exception? WriteError = null);

/// <summary>
/// Runs the scripts of tests/interop under node, each once per test class (results are cached) and with a time limit.
/// Nothing runs until a test asks, so a class whose tests are all skipped never starts node.
/// </summary>
public sealed class ReferenceImplementation
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private readonly Lazy<IReadOnlyDictionary<string, byte[]>> _jsSamples;
    private readonly Lazy<IReadOnlyDictionary<string, JsOutcome>> _wrenSamples;
    private readonly Lazy<IReadOnlyDictionary<string, JsOutcome>> _wrenSamplesWithLibraryDefaults;

    public ReferenceImplementation()
    {
        _jsSamples = new Lazy<IReadOnlyDictionary<string, byte[]>>(EncodeSamples);
        _wrenSamples = new Lazy<IReadOnlyDictionary<string, JsOutcome>>(() => RoundTripWrenSamples(libraryDefaults: false));
        _wrenSamplesWithLibraryDefaults = new Lazy<IReadOnlyDictionary<string, JsOutcome>>(() => RoundTripWrenSamples(libraryDefaults: true));
    }

    /// <summary>The values encode-samples.js writes, by name.</summary>
    public IReadOnlyDictionary<string, byte[]> JsSamples => _jsSamples.Value;

    /// <summary>
    /// What JavaScript made of Wren's encoding of the sample (all samples go through one node process), with the tests'
    /// settings or with @msgpack/msgpack's default options.
    /// </summary>
    public JsOutcome WrenSample(string name, bool libraryDefaults = false) =>
        (libraryDefaults ? _wrenSamplesWithLibraryDefaults : _wrenSamples).Value[name];

    /// <summary>Decodes each value in JavaScript, renders it and encodes it again, in one node process.</summary>
    public IReadOnlyList<JsOutcome> RoundTrip(IReadOnlyList<byte[]> values, bool libraryDefaults = false)
    {
        string input = string.Concat(values.Select(v => Convert.ToHexStringLower(v) + "\n"));
        string[] lines = Node("roundtrip.js", input, libraryDefaults ? ["--library-defaults"] : []);
        if (lines.Length != values.Count)
            throw new InvalidOperationException($"roundtrip.js printed {lines.Length} lines for {values.Count} values");
        var outcomes = new JsOutcome[values.Count];
        for (int i = 0; i < lines.Length; i++)
        {
            string[] parts = lines[i].Split('\t', 2);
            if (parts.Length != 2) throw new InvalidOperationException($"roundtrip.js printed a line without a tab: {lines[i]}");
            outcomes[i] = parts[0] == "error"
                ? new JsOutcome(values[i], [], "", parts[1])
                : new JsOutcome(values[i], Convert.FromHexString(parts[0]), parts[1], null);
        }
        return outcomes;
    }

    private IReadOnlyDictionary<string, JsOutcome> RoundTripWrenSamples(bool libraryDefaults)
    {
        var written = new List<(WrenSample Sample, byte[]? Bytes, Exception? Error)>();
        foreach (WrenSample sample in WrenSamples.All)
        {
            try
            {
                written.Add((sample, sample.Write(), null));
            }
            catch (WrenSerializationException e)
            {
                written.Add((sample, null, e));
            }
        }
        var ok = written.Where(w => w.Bytes is not null).ToList();
        IReadOnlyList<JsOutcome> outcomes = RoundTrip([.. ok.Select(w => w.Bytes!)], libraryDefaults);
        var byName = new Dictionary<string, JsOutcome>();
        for (int i = 0; i < ok.Count; i++) byName.Add(ok[i].Sample.Name, outcomes[i]);
        foreach (var failed in written.Where(w => w.Error is not null))
            byName.Add(failed.Sample.Name, new JsOutcome([], [], "", null, failed.Error));
        return byName;
    }

    private static IReadOnlyDictionary<string, byte[]> EncodeSamples()
    {
        var samples = new Dictionary<string, byte[]>();
        foreach (string line in Node("encode-samples.js", standardInput: null, arguments: []))
        {
            string[] parts = line.Split('\t');
            if (parts.Length != 2) throw new InvalidOperationException($"encode-samples.js printed a line that is not name<TAB>hex: {line}");
            samples.Add(parts[0], Convert.FromHexString(parts[1]));
        }
        return samples;
    }

    private static string[] Node(string script, string? standardInput, IEnumerable<string> arguments)
    {
        string directory = InteropPackages.EnsureInstalled();
        ToolResult result = ExternalTool.Run("node", [script, .. arguments], directory, standardInput, Timeout);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"node {script} failed (exit code {result.ExitCode}):\n{result.StandardError}");
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}

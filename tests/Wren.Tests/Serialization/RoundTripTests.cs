using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.Numerics;
using Wren.Serialization;

namespace Wren.Tests.Serialization;

public sealed class RoundTripTests
{
    private static readonly WrenSerializerOptions Trusting = new() { AllowedAssemblies = [typeof(Point).Assembly] };

    private static T RoundTrip<T>(T value, WrenSerializerOptions? options = null) =>
        WrenSerializer.Deserialize<T>(WrenSerializer.Serialize(value, options), options);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(-32)]
    [InlineData(-33)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void Int32_RoundTrips(int value) => Assert.Equal(value, RoundTrip(value));

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(4294967296L)]
    public void Int64_RoundTrips(long value) => Assert.Equal(value, RoundTrip(value));

    [Fact]
    public void UInt64Max_RoundTrips() => Assert.Equal(ulong.MaxValue, RoundTrip(ulong.MaxValue));

    [Fact]
    public void WholeFloat_ReadsIntoUInt64()
    {
        // 1e19 fits in UInt64 but not Int64; JavaScript writes such numbers as float64.
        Assert.Equal(10_000_000_000_000_000_000UL, WrenSerializer.Deserialize<ulong>(Convert.FromHexString("CB43E158E460913D00")));
        var error = Assert.Throws<WrenSerializationException>(() => WrenSerializer.Deserialize<ulong>(Convert.FromHexString("CB3FF8000000000000")));
        Assert.Equal("value: the number 1.5 at byte 0 does not fit in UInt64", error.Message);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-0.0)]
    [InlineData(double.Epsilon)]
    public void Double_RoundTripsBitForBit(double value) =>
        Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(RoundTrip(value)));

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("hello, world: a string longer than thirty-one bytes")]
    [InlineData("Кириллица и 漢字 и 🍺")]
    public void String_RoundTrips(string value) => Assert.Equal(value, RoundTrip(value));

    [Fact]
    public void LongString_RoundTrips()
    {
        string value = new('x', 70_000);
        Assert.Equal(value, RoundTrip(value));
    }

    [Fact]
    public void NullString_RoundTrips() => Assert.Null(RoundTrip<string?>(null));

    [Fact]
    public void AllPrimitiveMembers_RoundTrip()
    {
        var value = new Everything
        {
            Flag = true, U8 = 200, I8 = -100, I16 = -30000, U16 = 60000, I32 = -2_000_000_000, U32 = 4_000_000_000,
            I64 = long.MinValue, U64 = ulong.MaxValue, F32 = 1.5f, F64 = Math.PI, Dec = 1234567.8900m, Ch = 'Ж',
            Text = "text", Color = Color.Blue, MaybeInt = 7, When = new DateTime(2024, 2, 29, 12, 34, 56, DateTimeKind.Utc).AddTicks(7),
            WhenOffset = new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.FromHours(5.5)), Span = TimeSpan.FromTicks(-123456789),
            Id = Guid.NewGuid(), Big = BigInteger.Parse("123456789012345678901234567890"), Bytes = [1, 2, 3],
        };
        Everything copy = RoundTrip(value);
        Assert.Equal(value.Flag, copy.Flag);
        Assert.Equal(value.U8, copy.U8);
        Assert.Equal(value.I8, copy.I8);
        Assert.Equal(value.I16, copy.I16);
        Assert.Equal(value.U16, copy.U16);
        Assert.Equal(value.I32, copy.I32);
        Assert.Equal(value.U32, copy.U32);
        Assert.Equal(value.I64, copy.I64);
        Assert.Equal(value.U64, copy.U64);
        Assert.Equal(value.F32, copy.F32);
        Assert.Equal(value.F64, copy.F64);
        Assert.Equal(value.Dec, copy.Dec);
        Assert.Equal("1234567.8900", copy.Dec.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(value.Ch, copy.Ch);
        Assert.Equal(value.Text, copy.Text);
        Assert.Equal(value.Color, copy.Color);
        Assert.Equal(value.MaybeInt, copy.MaybeInt);
        Assert.Equal(value.When, copy.When);
        Assert.Equal(DateTimeKind.Utc, copy.When.Kind);
        Assert.Equal(value.WhenOffset, copy.WhenOffset);
        Assert.Equal(value.WhenOffset.Offset, copy.WhenOffset.Offset);
        Assert.Equal(value.Span, copy.Span);
        Assert.Equal(value.Id, copy.Id);
        Assert.Equal(value.Big, copy.Big);
        Assert.Equal(value.Bytes, copy.Bytes);
    }

    [Fact]
    public void OtherScalars_RoundTrip()
    {
        Assert.Equal((Half)1.5, RoundTrip((Half)1.5));
        Assert.Equal(Int128.MaxValue, RoundTrip(Int128.MaxValue));
        Assert.Equal(UInt128.MaxValue, RoundTrip(UInt128.MaxValue));
        Assert.Equal(new Complex(1.5, -2.25), RoundTrip(new Complex(1.5, -2.25)));
        Assert.Equal(new DateOnly(2001, 9, 11), RoundTrip(new DateOnly(2001, 9, 11)));
        Assert.Equal(new TimeOnly(23, 59, 58, 999), RoundTrip(new TimeOnly(23, 59, 58, 999)));
        Assert.Equal(new Uri("https://example.com/a?b=c"), RoundTrip(new Uri("https://example.com/a?b=c")));
        Assert.Equal(new Version(1, 2, 3, 4), RoundTrip(new Version(1, 2, 3, 4)));
        Assert.Equal((nint)(-5), RoundTrip((nint)(-5)));
        Assert.Equal(new Vector3(1, 2, 3), RoundTrip(new Vector3(1, 2, 3)));
        Assert.Equal(typeof(List<Point>), RoundTrip(typeof(List<Point>), Trusting));
        Assert.Equal(typeof(Dictionary<string, int[]>), RoundTrip(typeof(Dictionary<string, int[]>)));
        Assert.Null(RoundTrip<int?>(null));
    }

    [Fact]
    public void DateTimeBeforeEpochAndFarFuture_RoundTrip()
    {
        DateTime early = new DateTime(1, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(1);
        DateTime late = new DateTime(9999, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_999);
        Assert.Equal(early, RoundTrip(early));
        Assert.Equal(late, RoundTrip(late));
    }

    [Fact]
    public void LocalDateTime_TravelsAsTheSameInstant()
    {
        DateTime local = new DateTime(2023, 6, 1, 8, 0, 0, DateTimeKind.Local);
        Assert.Equal(local.ToUniversalTime(), RoundTrip(local));
    }

    [Fact]
    public void PositionalRecord_RoundTrips()
    {
        var person = new Person("Ada", 36, ["math", "engines"], new Point(3, 4));
        Person copy = RoundTrip(person);
        Assert.Equal(person.Name, copy.Name);
        Assert.Equal(person.Age, copy.Age);
        Assert.Equal(person.Tags, copy.Tags);
        Assert.Equal(person.Home, copy.Home);
    }

    [Fact]
    public void Structs_RoundTrip()
    {
        Assert.Equal(new Vector { X = 1, Y = -2, Z = 3.5 }, RoundTrip(new Vector { X = 1, Y = -2, Z = 3.5 }));
        Money money = RoundTrip(new Money(12.34m, "EUR"));
        Assert.Equal(12.34m, money.Amount);
        Assert.Equal("EUR", money.Currency);
    }

    [Fact]
    public void PrivateAndReadOnlyFields_RoundTrip()
    {
        Secretive copy = RoundTrip(new Secretive(42, "shh"));
        Assert.Equal(42, copy.Hidden);
        Assert.Equal("shh", copy.Note);
    }

    [Fact]
    public void BaseClassPrivateFields_RoundTrip()
    {
        DerivedThing copy = RoundTrip(new DerivedThing { BaseValue = 9, Extra = "x" });
        Assert.Equal(9, copy.BaseValue);
        Assert.Equal("x", copy.Extra);
    }

    [Fact]
    public void NonSerializedField_IsLeftOut()
    {
        WithIgnored copy = RoundTrip(new WithIgnored { Kept = 5, Skipped = new MemoryStream() });
        Assert.Equal(5, copy.Kept);
        Assert.Null(copy.Skipped);
    }

    [Fact]
    public void Arrays_RoundTrip()
    {
        Assert.Equal([1, 2, 3], RoundTrip(new[] { 1, 2, 3 }));
        Assert.Equal([1.5, -2.5], RoundTrip(new[] { 1.5, -2.5 }));
        Assert.Equal(new string?[] { "a", null, "c" }, RoundTrip(new[] { "a", null, "c" }));
        Assert.Equal([], RoundTrip(Array.Empty<long>()));
        Assert.Equal([Color.Red, Color.Blue], RoundTrip(new[] { Color.Red, Color.Blue }));
        Assert.Equal([new Vector { X = 1 }, new Vector { Z = 2 }], RoundTrip(new[] { new Vector { X = 1 }, new Vector { Z = 2 } }));
        Assert.Equal([true, false, true], RoundTrip(new[] { true, false, true }));
        Assert.Equal("hello"u8.ToArray(), RoundTrip("hello"u8.ToArray()));
    }

    [Fact]
    public void UnmanagedArrays_RoundTripWithoutRawBlocks()
    {
        var options = new WrenSerializerOptions { RawBlocks = false };
        Assert.Equal([1.5, -2.5], RoundTrip(new[] { 1.5, -2.5 }, options));
        Assert.Equal([1, 2, 3], RoundTrip(new List<int> { 1, 2, 3 }, options));
    }

    [Fact]
    public void JaggedAndMultiDimensionalArrays_RoundTrip()
    {
        int[][] jagged = [[1], [2, 3], []];
        int[][] jaggedCopy = RoundTrip(jagged);
        Assert.Equal(jagged.Length, jaggedCopy.Length);
        for (int i = 0; i < jagged.Length; i++) Assert.Equal(jagged[i], jaggedCopy[i]);

        var grid = new double[2, 3] { { 1, 2, 3 }, { 4, 5, 6 } };
        Assert.Equal(grid, RoundTrip(grid));
        var names = new string[2, 2, 1] { { { "a" }, { "b" } }, { { "c" }, { "d" } } };
        Assert.Equal(names, RoundTrip(names));
        Assert.Equal(new int[0, 5], RoundTrip(new int[0, 5]));
        Assert.Equal(grid, RoundTrip(grid, new WrenSerializerOptions { RawBlocks = false }));
    }

    [Fact]
    public void Collections_RoundTrip()
    {
        Assert.Equal([1, 2, 3], RoundTrip(new List<int> { 1, 2, 3 }));
        Assert.Equal(new HashSet<string> { "a", "b" }, RoundTrip(new HashSet<string> { "a", "b" }));
        Assert.Equal(new SortedSet<int> { 3, 1, 2 }, RoundTrip(new SortedSet<int> { 3, 1, 2 }));
        Assert.Equal(new LinkedList<int>([1, 2, 3]), RoundTrip(new LinkedList<int>([1, 2, 3])));
        Assert.Equal(new Queue<int>([1, 2, 3]), RoundTrip(new Queue<int>([1, 2, 3])));
        Assert.Equal(new Stack<int>([1, 2, 3]), RoundTrip(new Stack<int>([1, 2, 3])));
        Assert.Equal(new ConcurrentQueue<int>([1, 2]), RoundTrip(new ConcurrentQueue<int>([1, 2])));
        Assert.Equal(new ConcurrentStack<int>([1, 2]), RoundTrip(new ConcurrentStack<int>([1, 2])));
        Assert.Equal(new ObservableCollection<string>(["x"]), RoundTrip(new ObservableCollection<string>(["x"])));
        Assert.Equal(new ReadOnlyCollection<int>([4, 5]), RoundTrip(new ReadOnlyCollection<int>([4, 5])));
        Assert.Equal(ImmutableList.Create(1, 2), RoundTrip(ImmutableList.Create(1, 2)));
        Assert.Equal([1.5, 2.5], RoundTrip(ImmutableArray.Create(1.5, 2.5)).ToArray());
        Assert.Equal(ImmutableHashSet.Create("q"), RoundTrip(ImmutableHashSet.Create("q")));
        Assert.Equal(ImmutableStack.Create(1, 2, 3), RoundTrip(ImmutableStack.Create(1, 2, 3)));
        Assert.Equal(ImmutableQueue.Create(1, 2, 3), RoundTrip(ImmutableQueue.Create(1, 2, 3)));
        Assert.Equal([7, 8], RoundTrip(new ArraySegment<int>([6, 7, 8, 9], 1, 2)).ToArray());
        Assert.Equal([7, 8], RoundTrip(new ReadOnlyMemory<int>([7, 8])).ToArray());
    }

    [Fact]
    public void Dictionaries_RoundTrip()
    {
        var byString = new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 };
        Assert.Equal(byString, RoundTrip(byString));
        var byRecord = new Dictionary<Point, string> { [new Point(1, 2)] = "p", [new Point(3, 4)] = "q" };
        Assert.Equal(byRecord, RoundTrip(byRecord));
        var byGuid = new Dictionary<Guid, List<int>> { [Guid.NewGuid()] = [1, 2] };
        Assert.Equal(byGuid.Single().Value, RoundTrip(byGuid)[byGuid.Single().Key]);
        Assert.Equal(new SortedDictionary<int, string> { [2] = "b", [1] = "a" }, RoundTrip(new SortedDictionary<int, string> { [2] = "b", [1] = "a" }));
        Assert.Equal(new SortedList<string, double> { ["z"] = 1 }, RoundTrip(new SortedList<string, double> { ["z"] = 1 }));
        var concurrent = new ConcurrentDictionary<int, int>([new(1, 10)]);
        Assert.Equal(10, RoundTrip(concurrent)[1]);
        Assert.Equal(ImmutableDictionary<string, int>.Empty.Add("k", 3), RoundTrip(ImmutableDictionary<string, int>.Empty.Add("k", 3)));
        Assert.Equal(new ReadOnlyDictionary<int, int>(new Dictionary<int, int> { [1] = 2 }), RoundTrip(new ReadOnlyDictionary<int, int>(new Dictionary<int, int> { [1] = 2 })));
    }

    [Fact]
    public void ReadOnlyInterfaces_RoundTripAsDefaultCollections()
    {
        IReadOnlyList<int> list = [1, 2, 3];
        Assert.Equal([1, 2, 3], RoundTrip(list));
        IEnumerable<int> lazy = Enumerable.Range(0, 4).Select(i => i * i);
        Assert.Equal([0, 1, 4, 9], RoundTrip(lazy));
        IReadOnlyDictionary<string, int> map = new Dictionary<string, int> { ["x"] = 1 };
        Assert.Equal(map, RoundTrip(map));
        ISet<int> set = new HashSet<int> { 5 };
        Assert.Equal(set, RoundTrip(set));
        IList<string> sorted = new List<string> { "b", "a" };
        Assert.IsType<List<string>>(RoundTrip(sorted));
        IReadOnlyCollection<int> immutable = ImmutableList.Create(1, 2);
        Assert.IsType<ImmutableList<int>>(RoundTrip(immutable));
    }

    [Fact]
    public void Tuples_RoundTrip()
    {
        Assert.Equal((1, "a", 2.5), RoundTrip((1, "a", 2.5)));
        Assert.Equal(Tuple.Create(1, "b"), RoundTrip(Tuple.Create(1, "b")));
        var eleven = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        Assert.Equal(eleven, RoundTrip(eleven));
        Assert.Equal(new KeyValuePair<string, int>("k", 1), RoundTrip(new KeyValuePair<string, int>("k", 1)));
    }

    [Fact]
    public void Polymorphism_KeepsRuntimeTypes()
    {
        Shape[] shapes = [new Circle(1), new Square(2)];
        Shape[] copy = RoundTrip(shapes);
        Assert.Equal(shapes, copy);
        IAnimal dog = new Dog { Name = "Rex" };
        var dogCopy = Assert.IsType<Dog>(RoundTrip(dog));
        Assert.Equal("Rex", dogCopy.Name);
        List<object?> mixed = [1, 2L, "s", 1.5, 1.5f, true, null, new Point(1, 2), new[] { 1, 2 }, Color.Green, 'c', 3m, (byte)4];
        List<object?> mixedCopy = RoundTrip(mixed, Trusting);
        Assert.Equal(mixed, mixedCopy);
        Assert.Equal(mixed.Select(o => o?.GetType()), mixedCopy.Select(o => o?.GetType()));
    }

    [Fact]
    public void ObjectDictionary_RoundTripsValuesAndTypes()
    {
        var bag = new Dictionary<string, object?> { ["n"] = 1, ["s"] = "x", ["list"] = new List<int> { 1 }, ["nested"] = new Dictionary<string, object?> { ["d"] = 2.5 } };
        Dictionary<string, object?> copy = RoundTrip(bag);
        Assert.Equal(1, copy["n"]);
        Assert.Equal("x", copy["s"]);
        Assert.Equal([1], Assert.IsType<List<int>>(copy["list"]));
        Assert.Equal(2.5, Assert.IsType<Dictionary<string, object?>>(copy["nested"])["d"]);
    }

    [Fact]
    public void SharedReferences_StayShared()
    {
        var shared = new Point(1, 1);
        var pair = new List<Point> { shared, shared };
        List<Point> copy = RoundTrip(pair);
        Assert.Same(copy[0], copy[1]);

        var array = new[] { 1, 2 };
        var holder = new object[] { array, array, "z" };
        object[] holderCopy = RoundTrip(holder);
        Assert.Same(holderCopy[0], holderCopy[1]);
    }

    [Fact]
    public void Cycles_AreRestored()
    {
        var a = new Node { Value = 1 };
        var b = new Node { Value = 2, Next = a };
        a.Next = b;
        a.Children.Add(a);
        Node copy = RoundTrip(a);
        Assert.Equal(1, copy.Value);
        Assert.Equal(2, copy.Next!.Value);
        Assert.Same(copy, copy.Next.Next);
        Assert.Same(copy, copy.Children[0]);
    }

    [Fact]
    public void SelfReferencingList_IsRestored()
    {
        var list = new List<object?>();
        list.Add(list);
        List<object?> copy = RoundTrip(list);
        Assert.Same(copy, copy[0]);
    }

    [Fact]
    public void LongChain_WithinMaxDepth_RoundTrips()
    {
        var head = new Node { Value = 0 };
        Node tail = head;
        for (int i = 1; i < 900; i++) tail = tail.Next = new Node { Value = i };
        Node copy = RoundTrip(head);
        int count = 0;
        for (Node? n = copy; n is not null; n = n.Next) Assert.Equal(count++, n.Value);
        Assert.Equal(900, count);
    }

    [Fact]
    public void LargeDoubleArray_RoundTrips()
    {
        var random = new Random(7);
        double[] values = new double[1_000_000];
        for (int i = 0; i < values.Length; i++) values[i] = random.NextDouble();
        // By default a standard array: nine bytes a double; as a raw block, eight.
        byte[] bytes = WrenSerializer.Serialize(values);
        Assert.Equal(5 + 9_000_000, bytes.Length);
        Assert.Equal(values, WrenSerializer.Deserialize<double[]>(bytes));
        byte[] raw = WrenSerializer.Serialize(values, new WrenSerializerOptions { RawBlocks = true });
        Assert.InRange(raw.Length, 8_000_000, 8_000_010);
        Assert.Equal(values, WrenSerializer.Deserialize<double[]>(raw));
    }

    [Fact]
    public void NonGenericApi_RoundTrips()
    {
        byte[] bytes = WrenSerializer.Serialize(new Point(5, 6), typeof(Point));
        Assert.Equal(new Point(5, 6), WrenSerializer.Deserialize(bytes, typeof(Point)));
    }

    [Fact]
    public void BufferWriterAndSequence_RoundTrip()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        double[] big = Enumerable.Range(0, 50_000).Select(i => i * 0.5).ToArray();
        WrenSerializer.Serialize(buffer, new { Name = "n", Values = big }.Values);
        var sequence = new System.Buffers.ReadOnlySequence<byte>(buffer.WrittenMemory);
        Assert.Equal(big, WrenSerializer.Deserialize<double[]>(sequence));
    }
}

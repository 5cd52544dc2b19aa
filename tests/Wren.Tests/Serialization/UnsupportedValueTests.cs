using Wren.Serialization;

namespace Wren.Tests.Serialization;

public sealed class UnsupportedValueTests
{
    private sealed class HoldsAnything
    {
        public object? Value { get; set; }
    }

    private sealed class HoldsTask
    {
        public Task<int>? Pending { get; set; }
    }

    private sealed class HoldsCallback
    {
        public Func<int, int>? Callback { get; set; }
    }

    private unsafe struct HoldsPointer
    {
#pragma warning disable CS0649 // never assigned: only its type matters here
        public int* Address;
#pragma warning restore CS0649
    }

    private static WrenSerializationException Fails<T>(T value) =>
        Assert.Throws<WrenSerializationException>(() => WrenSerializer.Serialize(value));

    [Fact]
    public void Serialize_StreamDeepInGraph_NamesTheMemberPath()
    {
        var holder = new Holder { Items = [new(), new(), new(), new() { Owner2 = new WithStream { Name = "db", Connection = new MemoryStream() } }] };
        WrenSerializationException error = Fails(holder);
        Assert.Equal("value.Items[3].Owner2.Connection", error.MemberPath);
        Assert.Contains("System.IO.MemoryStream is a stream", error.Message);
        Assert.Contains("read it into a byte[]", error.Message);
        Assert.StartsWith("value.Items[3].Owner2.Connection: ", error.Message);
    }

    [Fact]
    public void Serialize_NullStream_Travels()
    {
        byte[] bytes = WrenSerializer.Serialize(new WithStream { Name = "n", Connection = null });
        Assert.Equal("n", WrenSerializer.Deserialize<WithStream>(bytes).Name);
    }

    [Fact]
    public void Serialize_StreamAsObject_NamesRuntimeType()
    {
        WrenSerializationException error = Fails(new HoldsAnything { Value = new BufferedStream(new MemoryStream()) });
        Assert.Equal("value.Value", error.MemberPath);
        Assert.Contains("System.IO.BufferedStream is a stream", error.Reason);
    }

    [Fact]
    public void Serialize_Task_SaysToAwaitIt()
    {
        WrenSerializationException error = Fails(new HoldsTask { Pending = Task.FromResult(1) });
        Assert.Equal("value.Pending", error.MemberPath);
        Assert.Contains("await it and capture its result", error.Reason);
    }

    [Fact]
    public void Serialize_DelegateInsideValue_Fails()
    {
        WrenSerializationException error = Fails(new HoldsCallback { Callback = x => x + 1 });
        Assert.Equal("value.Callback", error.MemberPath);
        Assert.Contains("is a delegate", error.Reason);
    }

    [Fact]
    public void Serialize_ResourcesOfThisProcess_Fail()
    {
        using var source = new CancellationTokenSource();
        Assert.Contains("thread, handle or synchronization object", Fails(new HoldsAnything { Value = source }).Reason);
        Assert.Contains("thread, handle or synchronization object", Fails(new HoldsAnything { Value = new Thread(() => { }) }).Reason);
        using var http = new HttpClient();
        Assert.Contains("connection or process", Fails(new HoldsAnything { Value = http }).Reason);
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(IntPtr.Zero, ownsHandle: false);
        Assert.Contains("thread, handle or synchronization object", Fails(new HoldsAnything { Value = handle }).Reason);
        Assert.Contains("reflection object", Fails(new HoldsAnything { Value = typeof(string).GetMethod("Trim", Type.EmptyTypes) }).Reason);
    }

    [Fact]
    public void Serialize_PointerField_Fails()
    {
        WrenSerializationException error = Fails(new HoldsPointer());
        Assert.Contains("has field 'Address'", error.Reason);
        Assert.Contains("is a pointer", error.Reason);
    }

    [Fact]
    public void Serialize_StreamInDictionary_NamesTheKey()
    {
        var map = new Dictionary<string, object?> { ["ok"] = 1, ["file"] = new MemoryStream() };
        Assert.Equal("value[\"file\"]", Fails(map).MemberPath);
    }

    [Fact]
    public void Serialize_UnknownFrameworkClass_SaysWhatToDo()
    {
        WrenSerializationException error = Fails(new HoldsAnything { Value = new System.Text.StringBuilder("x") });
        Assert.Contains("System.Text.StringBuilder is a framework type Wren has no format for", error.Reason);
    }

    [Fact]
    public void Serialize_TooDeep_FailsWithMaxDepth()
    {
        var head = new Node();
        Node tail = head;
        for (int i = 0; i < 50; i++) tail = tail.Next = new Node();
        WrenSerializationException error = Assert.Throws<WrenSerializationException>(() => WrenSerializer.Serialize(head, new WrenSerializerOptions { MaxDepth = 10 }));
        Assert.Contains("MaxDepth (10)", error.Reason);
    }

    [Fact]
    public void Options_Invalid_NamesEveryProblem()
    {
        var error = Assert.Throws<ArgumentException>(() => WrenSerializer.Serialize(1, new WrenSerializerOptions { MaxDepth = 0, AllowedAssemblies = null! }));
        Assert.Contains("MaxDepth is 0", error.Message);
        Assert.Contains("AllowedAssemblies is null", error.Message);
    }
}

namespace Wren.Tests.Serialization;

public sealed record Point(int X, int Y);

public sealed record Person(string Name, int Age, List<string> Tags, Point? Home);

public sealed class NineInts
{
    public int A { get; set; }
    public int B { get; set; }
    public int C { get; set; }
    public int D { get; set; }
    public int E { get; set; }
    public int F { get; set; }
    public int G { get; set; }
    public int H { get; set; }
    public int I { get; set; }
}

public struct Vector
{
    public double X;
    public double Y;
    public double Z;
}

public readonly struct Money(decimal amount, string currency)
{
    public decimal Amount { get; } = amount;
    public string Currency { get; } = currency;
}

public enum Color : byte { Red = 1, Green = 2, Blue = 200 }

public abstract record Shape;

public sealed record Circle(double Radius) : Shape;

public sealed record Square(double Side) : Shape;

public interface IAnimal
{
    string Sound { get; }
}

public sealed class Dog : IAnimal
{
    public string Sound => "woof";
    public string Name { get; set; } = "";
}

public sealed class Node
{
    public int Value { get; set; }
    public Node? Next { get; set; }
    public List<Node> Children { get; } = [];
}

public sealed class Secretive
{
    private readonly int _hidden;
    private string _note = "";

    public Secretive(int hidden, string note)
    {
        _hidden = hidden;
        _note = note;
    }

    public int Hidden => _hidden;
    public string Note => _note;
}

public class BaseThing
{
    private int _baseValue;
    public int BaseValue { get => _baseValue; set => _baseValue = value; }
}

public sealed class DerivedThing : BaseThing
{
    public string Extra { get; set; } = "";
}

public sealed class WithStream
{
    public string Name { get; set; } = "";
    public Stream? Connection { get; set; }
}

public sealed class Owner
{
    public WithStream? Owner2 { get; set; }
}

public sealed class Holder
{
    public List<Owner> Items { get; set; } = [];
}

public sealed class WithIgnored
{
    public int Kept { get; set; }
    [field: NonSerialized] public Stream? Skipped { get; set; }
}

public sealed class Everything
{
    public bool Flag { get; set; }
    public byte U8 { get; set; }
    public sbyte I8 { get; set; }
    public short I16 { get; set; }
    public ushort U16 { get; set; }
    public int I32 { get; set; }
    public uint U32 { get; set; }
    public long I64 { get; set; }
    public ulong U64 { get; set; }
    public float F32 { get; set; }
    public double F64 { get; set; }
    public decimal Dec { get; set; }
    public char Ch { get; set; }
    public string? Text { get; set; }
    public Color Color { get; set; }
    public int? MaybeInt { get; set; }
    public DateTime When { get; set; }
    public DateTimeOffset WhenOffset { get; set; }
    public TimeSpan Span { get; set; }
    public Guid Id { get; set; }
    public System.Numerics.BigInteger Big { get; set; }
    public byte[]? Bytes { get; set; }
}

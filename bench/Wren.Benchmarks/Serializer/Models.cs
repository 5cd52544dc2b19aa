namespace Wren.Benchmarks.Serializer;

/// <summary>Case (a): a plain class of nine int properties, as Wren and System.Text.Json see it.</summary>
public sealed class Counters
{
    public int Id { get; set; }

    public int Count { get; set; }

    public int Year { get; set; }

    public int Offset { get; set; }

    public int Temperature { get; set; }

    public int Flags { get; set; }

    public int Population { get; set; }

    public int Checksum { get; set; }

    public int Port { get; set; }
}

/// <summary>Case (b): a record with strings, a list of 100 doubles and a nested record.</summary>
public sealed record Order(string Id, string Customer, string Notes, List<double> Readings, Address ShipTo);

/// <summary>The record nested in <see cref="Order"/>.</summary>
public sealed record Address(string Street, string City, string PostalCode, string Country, int Floor);

/// <summary>The values every library serializes: the same numbers and text for Wren, System.Text.Json and protobuf.</summary>
public static class SampleData
{
    public const int ReadingCount = 100;

    public const int DoubleCount = 1_000_000;

    /// <summary>Small, large and negative values, none zero (protobuf would skip a zero field and win unfairly).</summary>
    public static Counters Counters() => new()
    {
        Id = 1_234_567,
        Count = 42,
        Year = 2024,
        Offset = -3_600,
        Temperature = -17,
        Flags = 0x5A5A,
        Population = 1_987_654_321,
        Checksum = int.MaxValue - 1_234,
        Port = 8080,
    };

    public static Order Order() => new(
        Id: "ord-2024-000153871",
        Customer: "Ada Lovelace-Byron",
        Notes: "Leave the parcel with the concierge; call ahead if nobody answers the door.",
        Readings: [.. Doubles(ReadingCount, seed: 17)],
        ShipTo: new Address(Street: "221B Baker Street", City: "London", PostalCode: "NW1 6XE", Country: "United Kingdom", Floor: 3));

    public static double[] LargeArray() => Doubles(DoubleCount, seed: 42);

    /// <summary>Full-precision doubles (a measurement, not a price), so no format gets them cheaply as short decimals.</summary>
    private static double[] Doubles(int count, int seed)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (int i = 0; i < count; i++) values[i] = (random.NextDouble() - 0.25) * 1_000.0;
        return values;
    }
}

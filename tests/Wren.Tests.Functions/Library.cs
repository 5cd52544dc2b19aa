using Newtonsoft.Json;

namespace Wren.Tests.Functions;

public sealed record Reading(string Sensor, double[] Values);

public static class Library
{
    public static int Triple(int x) => 3 * x;

    /// <summary>Uses Newtonsoft.Json, which workers only have if Wren ships it.</summary>
    public static string ToJson(Reading reading) => JsonConvert.SerializeObject(reading);
}

public sealed class Scaler(double factor)
{
    public double Scale(double x) => x * factor;
}

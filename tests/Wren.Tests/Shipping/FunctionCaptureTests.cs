using Wren.Shipping;

namespace Wren.Tests.Shipping;

/// <summary>A function without state is captured once; one with state is captured afresh each time, as it is now.</summary>
public sealed class FunctionCaptureTests
{
    private static int Square(int x) => x * x;

    [Fact]
    public void Capture_StaticMethodAndFieldlessLambda_AreCapturedOnce()
    {
        Func<int, int> square = Square;
        Assert.Same(FunctionCapture.Capture(square, typeof(int), typeof(int)), FunctionCapture.Capture(new Func<int, int>(Square), typeof(int), typeof(int)));
        Func<int, int> increment = x => x + 1;
        Assert.Same(FunctionCapture.Capture(increment, typeof(int), typeof(int)), FunctionCapture.Capture(increment, typeof(int), typeof(int)));
    }

    [Fact]
    public void Capture_ClosureWithState_IsCapturedWithItsCurrentValues()
    {
        int offset = 1;
        Func<int, int> add = x => x + offset;
        CapturedFunction first = FunctionCapture.Capture(add, typeof(int), typeof(int));
        offset = 2;
        CapturedFunction second = FunctionCapture.Capture(add, typeof(int), typeof(int));

        Assert.NotSame(first, second);
        Assert.NotEqual(first.Bytes, second.Bytes);
    }
}

using System.Reflection;
using System.Reflection.Emit;

namespace Wren.Shipping;

/// <summary>Walks a method's IL and reports the fields and methods its instructions name.</summary>
internal static class IlScanner
{
    private static readonly OpCode[] OneByte = new OpCode[256];
    private static readonly OpCode[] TwoByte = new OpCode[256];

    static IlScanner()
    {
        foreach (FieldInfo field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            ushort value = (ushort)code.Value;
            if (code.Size == 1) OneByte[value] = code;
            else TwoByte[value & 0xff] = code;
        }
    }

    /// <summary>The field and method tokens in <paramref name="method"/>'s body, or null when it has none that can be read.</summary>
    public static (List<int> Fields, List<int> Methods)? Tokens(MethodBase method)
    {
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) return null;
        var fields = new List<int>();
        var methods = new List<int>();
        int at = 0;
        while (at < il.Length)
        {
            OpCode code;
            if (il[at] == 0xfe)
            {
                if (at + 1 >= il.Length) return null;
                code = TwoByte[il[at + 1]];
                at += 2;
            }
            else
            {
                code = OneByte[il[at]];
                at += 1;
            }
            int size = code.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
                _ => 4,
            };
            if (at + size > il.Length) return null;
            if (code.OperandType == OperandType.InlineField) fields.Add(BitConverter.ToInt32(il, at));
            else if (code.OperandType == OperandType.InlineMethod) methods.Add(BitConverter.ToInt32(il, at));
            at += size;
        }
        return (fields, methods);
    }
}

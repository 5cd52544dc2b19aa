using System.Globalization;
using System.Text;

namespace Wren.Plots;

/// <summary>Appends SVG elements to a string: numbers in the invariant culture with at most two decimals, text escaped.</summary>
internal sealed class SvgText
{
    private readonly StringBuilder _text = new();

    public SvgText Raw(string text)
    {
        _text.Append(text);
        return this;
    }

    public SvgText Rect(double x, double y, double width, double height, string? cssClass = null)
    {
        _text.Append("<rect");
        if (cssClass is not null) _text.Append(" class=\"").Append(cssClass).Append('"');
        _text.Append(" x=\"").Append(N(x)).Append("\" y=\"").Append(N(y))
            .Append("\" width=\"").Append(N(width)).Append("\" height=\"").Append(N(height)).Append("\"/>");
        return this;
    }

    public SvgText Line(double x1, double y1, double x2, double y2, string cssClass)
    {
        _text.Append("<line class=\"").Append(cssClass).Append("\" x1=\"").Append(N(x1)).Append("\" y1=\"").Append(N(y1))
            .Append("\" x2=\"").Append(N(x2)).Append("\" y2=\"").Append(N(y2)).Append("\"/>\n");
        return this;
    }

    /// <summary>A text at (x, y); <paramref name="anchor"/> is start, middle or end; <paramref name="rotate"/> turns it to read upwards.</summary>
    public SvgText Text(double x, double y, string text, string cssClass, string anchor = "start", bool rotate = false)
    {
        _text.Append("<text class=\"").Append(cssClass).Append("\" x=\"").Append(N(x)).Append("\" y=\"").Append(N(y)).Append('"');
        if (anchor != "start") _text.Append(" text-anchor=\"").Append(anchor).Append('"');
        if (rotate) _text.Append(" transform=\"rotate(-90 ").Append(N(x)).Append(' ').Append(N(y)).Append(")\"");
        _text.Append('>').Append(Escape(text)).Append("</text>\n");
        return this;
    }

    /// <summary>A triangle pointing right with its tip at (x, y): the cold-start mark.</summary>
    public SvgText Triangle(double x, double y, double size, string cssClass)
    {
        double half = size / 2;
        _text.Append("<path class=\"").Append(cssClass).Append("\" d=\"M").Append(N(x - size)).Append(' ').Append(N(y - half))
            .Append('L').Append(N(x)).Append(' ').Append(N(y)).Append('L').Append(N(x - size)).Append(' ').Append(N(y + half)).Append("Z\"/>");
        return this;
    }

    /// <summary>A tooltip for the element it is written inside.</summary>
    public SvgText Title(string text)
    {
        _text.Append("<title>").Append(Escape(text)).Append("</title>");
        return this;
    }

    public override string ToString() => _text.ToString();

    public static string N(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);

    public static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
}

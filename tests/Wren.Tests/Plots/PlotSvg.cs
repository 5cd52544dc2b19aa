using System.Xml.Linq;

namespace Wren.Tests.Plots;

/// <summary>A timeline SVG parsed as XML, with the parts the tests look at.</summary>
internal sealed class PlotSvg(string text)
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private readonly XDocument _document = XDocument.Parse(text);

    public static PlotSvg Load(string path) => new(File.ReadAllText(path));

    public XElement Root => _document.Root!;

    /// <summary>Each call's bar group, as <c>&lt;g class="call ..." data-call="id"&gt;</c>.</summary>
    public IReadOnlyList<XElement> Calls => [.. Elements("g").Where(g => Classes(g).Contains("call"))];

    public IReadOnlyList<int> CallIds => [.. Calls.Select(g => (int)g.Attribute("data-call")!)];

    public IReadOnlyList<string> Texts => [.. Elements("text").Select(t => t.Value)];

    public IEnumerable<XElement> WithClass(string name, string cssClass) => Elements(name).Where(e => Classes(e).Contains(cssClass));

    public IEnumerable<XElement> Elements(string name) => _document.Descendants(Svg + name);

    public static string[] Classes(XElement element) => ((string?)element.Attribute("class"))?.Split(' ') ?? [];
}

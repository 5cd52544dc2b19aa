using System.Text.RegularExpressions;
using Spectre.Console;

namespace Wren.Deploy.Logs;

/// <summary>
/// Prints log lines readably: local time, the job and call they belong to, the level, the text. Colours only on a
/// terminal; plain text otherwise, one line per event.
/// </summary>
internal sealed partial class LogPrinter(TextWriter output, bool colour)
{
    private readonly IAnsiConsole? _console = colour ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) }) : null;

    [GeneratedRegex(@"^(?<tag>\S+#\d{5}) (?<level>INFO|ERROR) (?<text>.*)$")]
    private static partial Regex Tagged();

    public async Task PrintAsync(DateTimeOffset timestamp, string message)
    {
        string time = timestamp.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss.fff");
        Match match = Tagged().Match(message.TrimEnd('\n', '\r'));
        string tag = match.Success ? match.Groups["tag"].Value : "";
        string level = match.Success ? match.Groups["level"].Value : "";
        string text = match.Success ? match.Groups["text"].Value : message.TrimEnd('\n', '\r');
        if (_console is null)
        {
            await output.WriteLineAsync(match.Success ? $"{time} {tag} {level,-5} {text}" : $"{time} {text}").ConfigureAwait(false);
            return;
        }
        string levelMarkup = level == "ERROR" ? "[red]ERROR[/]" : level == "INFO" ? "[green]INFO [/]" : "     ";
        _console.MarkupLine($"[grey]{time}[/] [cyan]{Markup.Escape(tag)}[/] {levelMarkup} {Markup.Escape(text)}");
    }
}

using System.Management.Automation;
using JailsModule.Config;
using JailsModule.Model;
using JailsModule.Services;

namespace JailsModule.Commands;

/// <summary>
/// Reads jail.conf files exactly as jail(8) does and returns one object per jail with its effective parameters
/// and where each comes from; -AsJailE renders what "jail -f FILE -e SEP" prints.
/// </summary>
[Cmdlet(VerbsCommon.Get, "JailConfig", DefaultParameterSetName = ObjectSet)]
[OutputType(typeof(JailConfig), ParameterSetName = new[] { ObjectSet })]
[OutputType(typeof(string), ParameterSetName = new[] { JailESet })]
public sealed class GetJailConfigCommand : JailCmdletBase
{
    private const string ObjectSet = "Object";
    private const string JailESet = "JailE";

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(JailNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    // Not bound from the pipeline: a JailConfig's Path is the file of its block, which read alone would miss
    // the globals and wildcards of the file that includes it.
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = JailESet)]
    [AllowEmptyString]
    public string AsJailE { get; set; } = "";

    protected override void ProcessRecord()
    {
        var host = JailHost;
        List<string> files;
        if (Path is { Length: > 0 })
        {
            files = new List<string>();
            foreach (var p in Path)
            {
                if (p.Length == 0 || p[0] != '/')
                {
                    WriteError(new ErrorRecord(new ArgumentException($"The path '{p}' is not an absolute FreeBSD path."),
                        "InvalidConfigPath", ErrorCategory.InvalidArgument, p));
                    continue;
                }
                if (!host.FileExists(p))
                {
                    WriteError(new ErrorRecord(new ItemNotFoundException($"jail: {p}: No such file or directory"),
                        "JailConfigFileNotFound", ErrorCategory.ObjectNotFound, p));
                    continue;
                }
                files.Add(p);
            }
        }
        else files = JailConfigService.DefaultFiles(host);

        var patterns = Name?.Select(n => new WildcardPattern(n, WildcardOptions.None)).ToList();
        var matched = new HashSet<int>();
        foreach (var result in JailConfigService.LoadFiles(host, files))
        {
            var file = result.Files.Count > 0 ? result.Files[0] : "";
            if (!result.Success)
            {
                foreach (var d in result.Errors)
                    WriteError(new ErrorRecord(new FormatException($"jail: {d.Message}"), "JailConfigSyntaxError", ErrorCategory.ParserError, d)
                    {
                        ErrorDetails = new ErrorDetails($"jail: {d.Message}" + (d.Line > 0 ? $" (column {d.Column}: {d.Text})" : "")),
                    });
                continue;
            }
            var jails = result.Jails.Where(j =>
            {
                if (patterns is null) return true;
                bool any = false;
                for (int i = 0; i < patterns.Count; i++)
                    if (patterns[i].IsMatch(j.Name)) { matched.Add(i); any = true; }
                return any;
            }).ToList();
            if (ParameterSetName == JailESet)
            {
                if (jails.Count > 0) WriteObject(JailConf.RenderJailE(jails, AsJailE));
                continue;
            }
            foreach (var j in jails)
            {
                foreach (var e in j.Errors) WriteWarning($"jail: {e}");
                WriteObject(JailConfigService.ToModel(j, file, host.ComputerName));
            }
        }
        if (Name != null)
            for (int i = 0; i < Name.Length; i++)
                if (!matched.Contains(i) && !WildcardPattern.ContainsWildcardCharacters(Name[i]))
                    WriteError(new ErrorRecord(
                        new ItemNotFoundException($"No jail named '{Name[i]}' is defined in the configuration files read."),
                        "JailConfigNotFound", ErrorCategory.ObjectNotFound, Name[i]));
    }
}

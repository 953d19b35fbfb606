using System.Collections;
using System.Management.Automation;
using JailsModule.Config;
using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Services;

namespace JailsModule.Commands;

/// <summary>
/// Edits a jail's block in its jail.conf file: only the statements concerned change, everything else (comments,
/// blank lines, order, quoting) stays byte for byte. The result must parse and evaluate to the intended values,
/// or nothing is written. Writes are atomic and keep the file's mode and owner.
/// </summary>
[Cmdlet(VerbsCommon.Set, "JailConfig", SupportsShouldProcess = true, DefaultParameterSetName = EditSet)]
[OutputType(typeof(JailConfig))]
public sealed class SetJailConfigCommand : JailCmdletBase
{
    private const string EditSet = "Edit";
    private const string RemoveJailSet = "RemoveJail";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(JailNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>The file to edit. Default: the file whose block defines the jail, or /etc/jail.conf.d/NAME.conf for -New.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    [Parameter(ParameterSetName = EditSet)]
    [ValidateNotNull]
    public IDictionary? Parameter { get; set; }

    [Parameter(ParameterSetName = EditSet)]
    [ValidateNotNull]
    public IDictionary? Append { get; set; }

    [Parameter(ParameterSetName = EditSet)]
    [ValidateNotNullOrEmpty]
    public string[]? Remove { get; set; }

    [Parameter(ParameterSetName = EditSet)]
    public SwitchParameter New { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = RemoveJailSet)]
    public SwitchParameter RemoveJail { get; set; }

    [Parameter(ParameterSetName = RemoveJailSet)]
    public SwitchParameter Force { get; set; }

    [Parameter(ParameterSetName = EditSet)]
    public SwitchParameter PassThru { get; set; }

    /// <summary>
    /// Write -Parameter and -Append values literally: a <c>$path</c> or <c>${name}</c> in them stays text (single
    /// quotes) instead of being expanded by jail(8). Without it values are double-quoted with their references kept.
    /// </summary>
    [Parameter(ParameterSetName = EditSet)]
    public SwitchParameter Literal { get; set; }

    private List<ConfLoadResult>? _loaded;

    protected override void ProcessRecord()
    {
        foreach (var name in Name) Edit(name);
    }

    private void Fail(string id, ErrorCategory category, object target, string message)
        => WriteError(new ErrorRecord(new InvalidOperationException(message), id, category, target));

    private void Edit(string name)
    {
        if (New && !CheckName(name)) return;
        if (Path != null && Path[0] != '/') { Fail("InvalidConfigPath", ErrorCategory.InvalidArgument, Path, $"The path '{Path}' is not an absolute FreeBSD path."); return; }

        // Values, checked against the catalogue (and the host's list once Test-JailHost read it)
        var supported = Session.SupportedParameters;
        var sets = new List<(string Name, IReadOnlyList<string>? Values)>();
        var appends = new List<(string Name, IReadOnlyList<string> Values)>();
        if (!Collect(Parameter, sets, false, supported)) return;
        if (!Collect(Append, appends, true, supported)) return;
        if (Literal)
            foreach (var (n, v) in sets.Select(x => (x.Name, x.Values ?? Array.Empty<string>())).Concat(appends.Select(x => (x.Name, x.Values))))
                foreach (var value in v)
                    if (JailConfWriter.References(value) is { Count: > 0 } refs)
                        WriteWarning($"Parameter '{n}' is written literally (-Literal): jail(8) will not expand {string.Join(", ", refs)} in '{value}'. Leave out -Literal to have jail(8) expand {(refs.Count == 1 ? "it" : "them")}.");

        // A read-modify-write under the host lock on the jail's name (the key New-Jail takes, so one
        // name is created once) and on the file: the file is read and parsed again INSIDE the lock, so
        // concurrent edits of one file from several processes all survive.
        var warnings = new List<string>();
        string? path = null;
        string before = "", after = "";
        var resources = new List<string> { "jail:" + name };
        if (Path != null) resources.Add("file:" + Path);
        else if (FindDefinition(name, fresh: false) is { } guess) resources.Add("file:" + guess);
        var plan = Planner.RunPlan(name, resources, () =>
        {
            warnings.Clear();
            var p = BuildEdit(name, sets, appends, warnings, out path, out before, out after);
            return p;
        }, "JailConfigWriteFailed", confirmMore: _ =>
            !RemoveJail || Force || ShouldContinue($"Remove the configuration of jail '{name}' from {path}?", "Confirm"));
        foreach (var w in warnings) WriteWarning(w);
        if (plan is null) return;
        if (plan.Steps.Count == 0) WriteVerbose($"{path}: no change.");
        _loaded = null;
        if (PassThru && path != null) WriteResult(name, path);
    }

    /// <summary>Reads the file (now: under the lock), edits it and returns the plan that writes it; a plan without steps when nothing changes.</summary>
    private Plans.Plan BuildEdit(string name, List<(string Name, IReadOnlyList<string>? Values)> sets, List<(string Name, IReadOnlyList<string> Values)> appends,
        List<string> warnings, out string path, out string before, out string after)
    {
        var host = JailHost;
        // 1. Which file
        if (Path != null)
        {
            // A second definition elsewhere would make jail(8) see two jails of that name.
            if (New && FindDefinition(name, fresh: true) is { } other && other != Path)
                throw Refuse("JailConfigExists", Plans.PlanErrorKind.ResourceExists, name, $"Jail '{name}' is already defined in {other}.");
            path = Path;
        }
        else
        {
            var defined = FindDefinition(name, fresh: true);
            if (defined != null)
            {
                if (New) throw Refuse("JailConfigExists", Plans.PlanErrorKind.ResourceExists, name, $"Jail '{name}' is already defined in {defined}.");
                path = defined;
            }
            else if (New) path = $"{JailConfigService.ConfigDirectory}/{name}.conf";
            else throw Refuse("JailConfigNotFound", Plans.PlanErrorKind.ObjectNotFound, name, $"No jail named '{name}' is defined in the configuration files; use -New to create its block.");
        }

        // 2. Read and parse what is there
        bool exists = host.FileExists(path);
        if (!exists && !New) throw Refuse("JailConfigFileNotFound", Plans.PlanErrorKind.ObjectNotFound, path, $"jail: {path}: No such file or directory");
        before = exists ? host.ReadRegularFile(path, JailsModule.Host.BoundedFile.MaxConfigFileBytes) : "";
        JailConfDocument doc;
        try { doc = JailConfDocument.Parse(before, path); }
        catch (JailConfSyntaxException ex)
        {
            throw Refuse("JailConfigInvalid", Plans.PlanErrorKind.InvalidData, path, $"{path} does not parse, so it is left alone: jail: {ex.Diagnostics[0].Message}");
        }
        if (New && doc.HasJail(name)) throw Refuse("JailConfigExists", Plans.PlanErrorKind.ResourceExists, name, $"Jail '{name}' is already defined in {path}.");
        if (!New && !doc.HasJail(name)) throw Refuse("JailConfigNotFound", Plans.PlanErrorKind.ObjectNotFound, name, $"No block for jail '{name}' in {path}.");

        // 3. Edit
        try
        {
            if (RemoveJail) doc.RemoveJail(name);
            else
            {
                if (New) doc.AddJail(name);
                foreach (var r in Remove ?? Array.Empty<string>())
                    if (!doc.RemoveParameter(name, r)) warnings.Add($"Parameter '{r}' is not set in the block of jail '{name}' in {path}.");
                foreach (var (n, v) in sets) doc.SetParameter(name, n, v, expand: !Literal);
                foreach (var (n, v) in appends) doc.AppendParameter(name, n, v, expand: !Literal);
            }
        }
        catch (JailConfSyntaxException ex)
        {
            throw Refuse("JailConfigInvalid", Plans.PlanErrorKind.InvalidData, path, $"The edit would make {path} unparsable, so nothing was written: jail: {ex.Diagnostics[0].Message}");
        }
        catch (ArgumentException ex)
        {
            throw Refuse("InvalidJailParameter", Plans.PlanErrorKind.InvalidArgument, name, ex.Message);
        }
        after = doc.ToString();

        // 4. The result must evaluate to what was asked
        var why = Verify(name, path, before, after, sets, warnings);
        if (why != null) throw Refuse("JailConfigInvalid", Plans.PlanErrorKind.InvalidData, path, $"{why}; nothing was written to {path}.");

        // 5. The plan: one atomic write (temp + rename in the host boundary) or the file's removal
        var description = (RemoveJail ? $"Remove the block of jail '{name}'" : New ? $"Add jail '{name}'" : $"Edit jail '{name}'")
                          + $" in {path}" + Environment.NewLine + JailConfigService.Diff(path, before, after);
        var plan = new Plans.Plan(description).Lock("jail", name).Lock("file", path);
        if (after == before) return plan;
        if (RemoveJail && after.Trim().Length == 0 && path == $"{JailConfigService.ConfigDirectory}/{name}.conf")
            return plan.Add(new Plans.DeleteFileStep(path) { ErrorId = "JailConfigWriteFailed" });
        if (!exists)
        {
            var dir = path[..Math.Max(1, path.LastIndexOf('/'))];
            if (!host.DirectoryExists(dir)) plan.Add(new Plans.CreateDirectoryStep(dir) { ErrorId = "JailConfigWriteFailed" });
        }
        return plan.Add(new EditFileStep(path, after, exists ? null : JailConfigService.NewFileMode) { ErrorId = "JailConfigWriteFailed" });
    }

    private static Plans.PlanPreconditionException Refuse(string id, Plans.PlanErrorKind kind, object target, string message)
        => new(id, message, target, kind);

    private bool Collect<T>(IDictionary? table, List<(string, T)> into, bool append, IReadOnlyCollection<string>? supported) where T : IReadOnlyList<string>?
    {
        if (table is null) return true;
        foreach (DictionaryEntry e in table)
        {
            var key = e.Key?.ToString() ?? "";
            IReadOnlyList<string>? values;
            try { values = JailConfigService.ToValues(e.Value); }
            catch (ArgumentException ex) { Fail("InvalidJailParameter", ErrorCategory.InvalidArgument, key, $"Parameter '{key}': {ex.Message}"); return false; }
            if (append && values is null) { Fail("InvalidJailParameter", ErrorCategory.InvalidArgument, key, $"Parameter '{key}': -Append needs values, not $true."); return false; }
            if (key is "name" or "jid")
            {
                Fail("InvalidJailParameter", ErrorCategory.InvalidArgument, key, $"Parameter '{key}' comes from the block name and cannot be redefined (jail(8): cannot redefine parameter \"{key}\").");
                return false;
            }
            var check = JailParameterCatalog.Validate(key, values, supported);
            if (!check.IsValid) { Fail("InvalidJailParameter", ErrorCategory.InvalidArgument, key, check.Error!); return false; }
            if (check.Warning != null) WriteWarning(check.Warning);
            into.Add((key, (T)values!));
        }
        return true;
    }

    private string? Verify(string name, string path, string before, string after, List<(string Name, IReadOnlyList<string>? Values)> sets, List<string> warnings)
    {
        var source = new HostConfSource(JailHost);
        var r = JailConf.LoadText(after, path, source);
        if (!r.Success) return $"The result would not be read by jail(8): jail: {r.Errors[0].Message}";
        var jail = r.Jails.LastOrDefault(j => j.Name == name);
        if (RemoveJail) return jail is null ? null : $"Jail '{name}' would still be defined in {path}";
        if (jail is null) return $"Jail '{name}' would not be defined in {path}";
        var old = JailConf.LoadText(before, path, source).Jails.LastOrDefault(j => j.Name == name);
        var newErrors = jail.Errors.Except(old?.Errors ?? new List<string>()).ToList();
        if (newErrors.Count > 0) return $"jail(8) would refuse jail '{name}': jail: {newErrors[0]}";
        // depend resolves among the jails of the file jail(8) reads (state.c find_jail): a name this file
        // does not define makes "jail -f FILE -c NAME" (service jail start NAME) fail. Only a warning: the
        // file may be .included by one that defines it.
        var hadBefore = Depends(old);
        foreach (var dep in Depends(jail))
            if (!hadBefore.Contains(dep) && !r.Jails.Any(j => j.Name == dep))
                warnings.Add($"Jail '{name}' depends on '{dep}', which {path} does not define: 'jail -f {path} -c {name}' (and service jail start {name}) would fail with: depends on undefined jail \"{dep}\". Define '{dep}' in the same file, or in a file that includes this one.");
        foreach (var (n, v) in sets)
        {
            var p = jail.Find(n);
            // A value with $references (written for jail(8) to expand) evaluates to its expansion, not its text.
            bool same = p != null && p.Name == n && (v is null ? p.Values is null : p.Values != null && p.Values.Count == v.Count &&
                v.Select((x, i) => (!Literal && JailConfWriter.References(x).Count > 0) || x == p.Values[i]).All(b => b));
            if (!same)
                return $"Parameter '{n}' would evaluate to {Show(p)} instead of {Show(new ConfParameter(n, v, path, 0))} (a later wildcard or global block overrides it)";
        }
        return null;

        static string Show(ConfParameter? p) => p is null ? "nothing" : $"'{p}'";
        static HashSet<string> Depends(ConfJail? j) => (j?.Find("depend")?.Values ?? (IReadOnlyList<string>)Array.Empty<string>())
            .SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The file that defines the jail; <paramref name="fresh"/> reads every file again (under the lock).</summary>
    private string? FindDefinition(string name, bool fresh)
    {
        if (fresh) _loaded = null;
        _loaded ??= JailConfigService.LoadFiles(JailHost, JailConfigService.DefaultFiles(JailHost));
        string? first = null;
        foreach (var r in _loaded)
            foreach (var j in r.Jails)
                if (j.Name == name)
                {
                    if (j.File == $"{JailConfigService.ConfigDirectory}/{name}.conf" || j.File == $"/etc/jail.{name}.conf") return j.File;
                    first ??= j.File;
                }
        return first;
    }

    private void WriteResult(string name, string path)
    {
        var r = JailConf.Load(path, new HostConfSource(JailHost));
        var j = r.Jails.LastOrDefault(x => x.Name == name);
        if (j != null) WriteObject(JailConfigService.ToModel(j, path, JailHost.ComputerName));
    }
}

/// <summary>
/// Writes a jail.conf file atomically (temp + rename in the host boundary), keeping an existing
/// file's mode and owner; undo puts the previous bytes back, or removes a file that did not exist.
/// </summary>
public sealed class EditFileStep : Plans.PlanStep
{
    private byte[]? _previous;
    private bool _existed;
    private readonly int? _newFileMode;

    public EditFileStep(string path, string content, int? newFileMode)
    {
        Path = path;
        Content = content;
        _newFileMode = newFileMode;
    }

    public string Path { get; }
    public string Content { get; }
    public override string Description => $"Write {Path}";
    public override IReadOnlyList<string> Actions => new[] { $"write file {CommandLine.Quote(Path)} ({Content.Split('\n').Length - (Content.EndsWith('\n') ? 1 : 0)} lines)" };

    public override void Do(Plans.PlanContext context)
    {
        _existed = context.Host.FileExists(Path);
        _previous = _existed ? context.Host.ReadAllBytes(Path) : null;
        context.Host.WriteAllTextAtomic(Path, Content, _existed ? null : _newFileMode);
    }

    public override void Undo(Plans.PlanContext context)
    {
        if (_existed) context.Host.WriteAllBytes(Path, _previous!);
        else if (context.Host.FileExists(Path)) context.Host.DeleteFile(Path);
    }
}

using System.Collections;
using System.Management.Automation;
using JailsModule.Model;
using JailsModule.Services;

namespace JailsModule.Commands;

/// <summary>
/// Creates jails: a thin ZFS clone of a template's snapshot (default), a thick copy (-Thick) or an
/// empty dataset (-Empty), and writes /etc/jail.conf.d/NAME.conf for `service jail start NAME`.
/// </summary>
[Cmdlet(VerbsCommon.New, "Jail", SupportsShouldProcess = true, DefaultParameterSetName = TemplateSet)]
[OutputType(typeof(Jail))]
public sealed class NewJailCommand : JailProvisionCmdletBase
{
    private const string TemplateSet = "Template";
    private const string InputObjectSet = "InputObject";
    private const string EmptySet = "Empty";

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Name of the template (Get-JailTemplate) to clone.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = TemplateSet)]
    [ValidateNotNullOrEmpty]
    public string Template { get; set; } = "";

    /// <summary>A template from Get-JailTemplate.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    [ValidateNotNull]
    public JailTemplate? InputObject { get; set; }

    /// <summary>Its own copy of the release instead of a clone.</summary>
    [Parameter(ParameterSetName = TemplateSet)]
    [Parameter(ParameterSetName = InputObjectSet)]
    public SwitchParameter Thick { get; set; }

    /// <summary>An empty dataset and a config file; no template.</summary>
    [Parameter(Mandatory = true, ParameterSetName = EmptySet)]
    public SwitchParameter Empty { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HostName { get; set; }

    [Parameter]
    [ValidateNotNull]
    public string[] IPv4Address { get; set; } = Array.Empty<string>();

    [Parameter]
    [ValidateNotNull]
    public string[] IPv6Address { get; set; } = Array.Empty<string>();

    /// <summary>Host interface the addresses are added to as aliases (interface = em0;).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Interface { get; set; }

    /// <summary>More jail.conf parameters: @{ 'allow.raw_sockets' = $true; 'devfs_ruleset' = 4 }.</summary>
    [Parameter]
    public Hashtable? Parameter { get; set; }

    /// <summary>Dataset for the jail (only with one -Name); must be below the jail root.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Dataset { get; set; }

    [Parameter]
    public SwitchParameter Start { get; set; }

    protected override void ProcessRecord()
    {
        var template = ParameterSetName == InputObjectSet ? InputObject!.Name : ParameterSetName == TemplateSet ? Template : null;
        if (!Validate(template, out var ip4, out var ip6, out var extra)) return;
        foreach (var name in Name)
        {
            if (!CheckName(name, allowChild: false)) continue;
            var req = new NewJailRequest
            {
                Name = name,
                Template = template,
                Kind = Empty ? JailStorageKind.Empty : Thick ? JailStorageKind.Thick : JailStorageKind.Thin,
                HostName = HostName,
                IPv4 = ip4,
                IPv6 = ip6,
                Interface = Interface,
                Parameters = extra,
                Start = Start,
                Dataset = Dataset,
            };
            var ds = Service.JailDataset(req);
            var plan = RunPlan(name, ProvisioningService.NewJailResources(name, ds), () => Service.PlanNewJail(req), "NewJailFailed");
            if (plan is null) continue;
            var jail = Start
                ? JailInventory.Read(JailHost, CancellationToken, r => WriteVerbose(r.DisplayText), Session.ConfFiles).Find(name)
                : Service.ReadConfiguredJail(name, plan); // stopped: its own new file says everything, no jls needed
            if (jail != null) WriteObject(jail);
        }
    }

    private bool Validate(string? template, out List<string> ip4, out List<string> ip6, out List<KeyValuePair<string, IReadOnlyList<string>?>> extra)
    {
        ip4 = new();
        ip6 = new();
        extra = new();
        string? bad = null;
        string badId = "InvalidArgument";
        object? target = null;
        if (template != null && ProvisionValidation.TemplateName(template) is { } t) { bad = t; badId = "InvalidTemplateName"; target = template; }
        foreach (var a in IPv4Address)
        {
            var e = ProvisionValidation.IPv4(a, out var n);
            if (e is null) ip4.Add(n);
            else if (bad is null) { bad = e; badId = "InvalidIPAddress"; target = a; }
        }
        foreach (var a in IPv6Address)
        {
            var e = ProvisionValidation.IPv6(a, out var n);
            if (e is null) ip6.Add(n);
            else if (bad is null) { bad = e; badId = "InvalidIPAddress"; target = a; }
        }
        if (bad is null && Interface != null && ProvisionValidation.Interface(Interface) is { } i) { bad = i; badId = "InvalidInterfaceName"; target = Interface; }
        if (bad is null && HostName != null && (HostName.Length > 255 || HostName.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '\'' or '$' or '\\')))
        { bad = $"The host name '{HostName}' contains white space, quotes, '$' or '\\'."; badId = "InvalidHostName"; target = HostName; }
        if (bad is null && Dataset != null)
        {
            if (ProvisionValidation.Dataset(Dataset) is { } d) { bad = d; badId = "InvalidDatasetName"; target = Dataset; }
            else if (Name.Length > 1) { bad = "-Dataset can be used with one -Name only."; target = Dataset; }
            else if (!ProvisionValidation.IsUnder(Dataset, Settings.JailRoot)) { bad = $"The dataset '{Dataset}' is not below the jail root '{Settings.JailRoot}'."; badId = "DatasetOutsideRoot"; target = Dataset; }
        }
        if (bad is null && Parameter != null)
            foreach (DictionaryEntry kv in Parameter)
            {
                var key = kv.Key?.ToString() ?? "";
                if (!System.Text.RegularExpressions.Regex.IsMatch(key, @"\A[A-Za-z_][A-Za-z0-9_.]*\z"))
                { bad = $"'{key}' is not a jail parameter name."; badId = "InvalidParameterName"; target = key; break; }
                if (key is "name" or "path" or "jid")
                { bad = $"'{key}' is set by New-Jail itself and cannot be given in -Parameter."; badId = "InvalidParameterName"; target = key; break; }
                if (key == "depend")
                {
                    // jail(8) resolves depend among the jails of the file it reads (state.c find_jail), and
                    // the new file holds this jail alone: "service jail start NAME" could never start it.
                    bad = "'depend' cannot be given to New-Jail: /etc/jail.conf.d/NAME.conf holds this jail alone, and jail(8) looks for the jails it depends on " +
                          "in the file it reads, so 'service jail start NAME' would fail with 'depends on undefined jail'. Define dependent jails in one file " +
                          "(for example /etc/jail.conf) and start them together.";
                    badId = "DependNeedsSharedConfig"; target = key; break;
                }
                var v = kv.Value is PSObject ps ? ps.BaseObject : kv.Value;
                if (v is SwitchParameter sw) v = sw.IsPresent;
                if (v is null) { extra.Add(KeyValuePair.Create(key, (IReadOnlyList<string>?)null)); continue; }
                try { extra.Add(KeyValuePair.Create(key, JailConfigService.ToValues(v))); } // the same check as Set-JailConfig's
                catch (ArgumentException ex) { bad = $"Parameter '{key}': {ex.Message}"; badId = "InvalidJailParameter"; target = key; break; }
            }
        if (bad is null) return true;
        WriteError(new ErrorRecord(new ArgumentException(bad), badId, ErrorCategory.InvalidArgument, target));
        return false;
    }
}

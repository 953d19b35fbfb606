using System.Management.Automation;
using JailsModule.Model;
using JailsModule.Plans;
using JailsModule.Services;

namespace JailsModule.Commands;

/// <summary>Downloads distribution sets and their MANIFEST, and checks every SHA-256.</summary>
[Cmdlet(VerbsData.Save, "JailRelease", SupportsShouldProcess = true)]
[OutputType(typeof(JailRelease))]
public sealed class SaveJailReleaseCommand : JailProvisionCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Release { get; set; } = Array.Empty<string>();

    /// <summary>Architecture, as uname -p names it (default: the host's; arm64 means aarch64).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Arch { get; set; }

    /// <summary>Mirror base URL (default: the module setting Mirror, https://download.freebsd.org/releases).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Mirror { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] DistributionSet { get; set; } = { "base" };

    /// <summary>Download again even when the files are already there.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var mirror = Mirror ?? Settings.Mirror;
        var bad = ProvisionValidation.Mirror(mirror) ?? (Arch is null ? null : ProvisionValidation.Arch(Arch));
        foreach (var s in DistributionSet) bad ??= ProvisionValidation.DistributionSet(s);
        if (bad != null) { WriteInvalid(bad, "InvalidArgument", mirror); return; }
        var sets = DistributionSet.Distinct(StringComparer.Ordinal).ToList();
        (string Machine, string Arch)? host = null;
        foreach (var release in Release)
        {
            if (ProvisionValidation.Release(release) is { } r) { WriteInvalid(r, "InvalidReleaseName", release); continue; }
            // uname -m -p: the mirror folder is MACHINE/MACHINE_ARCH (arm/armv7, riscv/riscv64...), reference §17.10.
            host ??= Service.HostPlatform();
            var arch = Arch is "arm64" ? "aarch64" : Arch ?? host.Value.Arch;
            var foreign = arch == host.Value.Arch ? null : arch;
            var folder = foreign is null ? host.Value.Machine + "/" + host.Value.Arch : null;
            var result = new JailRelease();
            var plan = RunPlan(release, new[] { "release:" + release + "-" + arch },
                () => Service.PlanSaveRelease(release, arch, foreign, mirror, sets, Force, result, folder), "SaveReleaseFailed");
            if (plan is null) continue;
            result.Verified = true;
            WriteObject(result);
        }
    }
}

/// <summary>Creates a template from a saved release: dataset, extract, resolv.conf and localtime, optional freebsd-update, snapshot @base.</summary>
[Cmdlet(VerbsCommon.New, "JailTemplate", SupportsShouldProcess = true)]
[OutputType(typeof(JailTemplate))]
public sealed class NewJailTemplateCommand : JailProvisionCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Release { get; set; } = "";

    /// <summary>Template name (default: the release); the dataset is TemplateRoot/NAME.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Sets")]
    [ValidateNotNullOrEmpty]
    public string[] DistributionSet { get; set; } = { "base" };

    /// <summary>Run freebsd-update fetch install on the tree before the snapshot.</summary>
    [Parameter]
    public SwitchParameter Update { get; set; }

    protected override void ProcessRecord()
    {
        var name = Name ?? Release;
        var bad = ProvisionValidation.Release(Release) ?? ProvisionValidation.TemplateName(name);
        foreach (var s in DistributionSet) bad ??= ProvisionValidation.DistributionSet(s);
        if (bad != null) { WriteInvalid(bad, ProvisionValidation.Release(Release) is null ? "InvalidTemplateName" : "InvalidReleaseName", Release); return; }
        var ds = Service.TemplateDataset(name);
        var plan = RunPlan(name, new[] { "template:" + name, "dataset:" + ds },
            () => Service.PlanNewTemplate(name, Release, DistributionSet.Distinct(StringComparer.Ordinal).ToList(), Update), "NewTemplateFailed");
        if (plan is null) return;
        var t = Service.GetTemplates().FirstOrDefault(x => x.Name == name);
        if (t != null) WriteObject(t);
    }
}

/// <summary>Lists the templates under the template root.</summary>
[Cmdlet(VerbsCommon.Get, "JailTemplate")]
[OutputType(typeof(JailTemplate))]
public sealed class GetJailTemplateCommand : JailProvisionCmdletBase
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    private IReadOnlyList<JailTemplate>? _all;

    protected override void ProcessRecord()
    {
        try
        {
            _all ??= Service.GetTemplates();
        }
        catch (NativeCommandException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "ZfsListFailed", ErrorCategory.ReadError, null) { ErrorDetails = new ErrorDetails(ex.Message) });
        }
        if (Name is null) { WriteObject(_all, enumerateCollection: true); return; }
        foreach (var n in Name)
        {
            var p = new WildcardPattern(n, WildcardOptions.None);
            var hits = _all!.Where(t => p.IsMatch(t.Name)).ToList();
            if (hits.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(n))
                WriteError(new ErrorRecord(new ItemNotFoundException($"There is no template '{n}' under {Settings.TemplateRoot} on {JailHost.ComputerName}."),
                    "TemplateNotFound", ErrorCategory.ObjectNotFound, n));
            WriteObject(hits, enumerateCollection: true);
        }
    }
}

/// <summary>Base of Update-/Remove-JailTemplate: -Name or -InputObject.</summary>
public abstract class JailTemplateActionCmdletBase : JailProvisionCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Name", ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = "InputObject", ValueFromPipeline = true)]
    [ValidateNotNull]
    public JailTemplate[] InputObject { get; set; } = Array.Empty<JailTemplate>();

    protected override void ProcessRecord()
    {
        foreach (var n in ParameterSetName == "InputObject" ? InputObject.Select(t => t.Name).ToArray() : Name)
        {
            if (ProvisionValidation.TemplateName(n) is { } bad) { WriteInvalid(bad, "InvalidTemplateName", n); continue; }
            ProcessTemplate(n);
        }
    }

    protected abstract void ProcessTemplate(string name);

    protected IEnumerable<string> Resources(string name) => new[] { "template:" + name, "dataset:" + Service.TemplateDataset(name) };
}

/// <summary>Patches a template with freebsd-update and snapshots it again; existing clones keep their snapshot.</summary>
[Cmdlet(VerbsData.Update, "JailTemplate", SupportsShouldProcess = true, DefaultParameterSetName = "Name")]
[OutputType(typeof(JailTemplate))]
public sealed class UpdateJailTemplateCommand : JailTemplateActionCmdletBase
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessTemplate(string name)
    {
        var plan = RunPlan(name, Resources(name), () => Service.PlanUpdateTemplate(name), "UpdateTemplateFailed");
        if (plan is null || !PassThru) return;
        var t = Service.GetTemplates().FirstOrDefault(x => x.Name == name);
        if (t != null) WriteObject(t);
    }
}

/// <summary>Destroys a template (its snapshots and dataset); refuses while any jail is cloned from it.</summary>
[Cmdlet(VerbsCommon.Remove, "JailTemplate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "Name")]
[OutputType(typeof(void))]
public sealed class RemoveJailTemplateCommand : JailTemplateActionCmdletBase
{
    /// <summary>Do not ask for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessTemplate(string name)
        => RunPlan(name, Resources(name), () => Service.PlanRemoveTemplate(name), "RemoveTemplateFailed", Force);
}

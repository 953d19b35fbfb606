using System.Management.Automation;
using JailsModule.Plans;
using JailsModule.Services;

namespace JailsModule.Commands;

/// <summary>Shows where provisioning puts releases, templates and jails on the connected host.</summary>
[Cmdlet(VerbsCommon.Get, "JailModuleSetting")]
[OutputType(typeof(JailModuleSettings))]
public sealed class GetJailModuleSettingCommand : JailProvisionCmdletBase
{
    protected override void ProcessRecord() => WriteObject(Settings);
}

/// <summary>Changes the provisioning settings of the connected host (/usr/local/etc/jailsmodule.conf).</summary>
[Cmdlet(VerbsCommon.Set, "JailModuleSetting", SupportsShouldProcess = true)]
[OutputType(typeof(JailModuleSettings))]
public sealed class SetJailModuleSettingCommand : JailProvisionCmdletBase
{
    [Parameter] [ValidateNotNullOrEmpty] public string? TemplateRoot { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? TemplateMountpoint { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? JailRoot { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? JailMountpoint { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? MediaPath { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? Mirror { get; set; }

    /// <summary>Seconds to wait for a resource another plan holds (0 to 86400).</summary>
    [Parameter] [ValidateRange(0, 86400)] public int LockTimeout { get; set; }
    [Parameter] public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        // Unchecked: a file with a bad value must not stop the command that repairs it. Checked once
        // the new values are applied, so a bad value is refused before anything is locked.
        var s = Apply(Runner.LoadUnchecked());
        if (s.Validate() is { } bad) { WriteInvalid(bad, "InvalidModuleSetting", s); return; }
        Runner.UseSettings(s);
        var file = JailModuleSettings.SettingsFile;
        // A read-modify-write under the lock on the file: the file is read again inside the lock, so
        // two processes changing different settings at once both keep their change.
        var plan = RunPlan(file, new[] { "file:" + file }, () =>
        {
            s = Apply(Runner.IsWhatIf ? s : Runner.LoadUnchecked());
            if (s.Validate() is { } why)
                throw new PlanPreconditionException("InvalidModuleSetting", $"{file}: {why}", file, PlanErrorKind.InvalidData);
            return new Plan($"Update {file}").Lock("file", file).Add(new WriteFileStep(file, s.Render()));
        }, "SetModuleSettingFailed");
        if (plan != null && PassThru) WriteObject(s);
    }

    private JailModuleSettings Apply(JailModuleSettings s)
    {
        foreach (var key in JailModuleSettings.Keys)
            if (MyInvocation.BoundParameters.TryGetValue(key, out var v)) s.Set(key, Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!);
        return s;
    }
}

using System.Management.Automation;
using JailsModule.Model;

namespace JailsModule.Commands;

/// <summary>Lists running and configured jails: one jls call joined with the parsed jail.conf files.</summary>
[Cmdlet(VerbsCommon.Get, "Jail", DefaultParameterSetName = "Name")]
[OutputType(typeof(Jail))]
public sealed class GetJailCommand : JailCmdletBase
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(JailNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    [Parameter]
    [ValidateSet("Running", "Stopped", "Dying")]
    public string[]? State { get; set; }

    private Services.JailInventory? _inventory;

    protected override void ProcessRecord()
    {
        _inventory ??= ReadInventory();
        IEnumerable<Jail> jails = _inventory.Jails;
        if (State is { Length: > 0 })
            jails = jails.Where(j => State.Contains(j.State, StringComparer.OrdinalIgnoreCase));

        if (Name is null)
        {
            WriteObject(jails, enumerateCollection: true);
            return;
        }
        var list = jails.ToList();
        foreach (var n in Name)
        {
            if (WildcardPattern.ContainsWildcardCharacters(n))
            {
                var p = new WildcardPattern(n, WildcardOptions.IgnoreCase);
                WriteObject(list.Where(j => p.IsMatch(j.Name)), enumerateCollection: true);
                continue;
            }
            if (!CheckName(n)) continue;
            var found = list.Where(j => j.Name == n).ToList();
            if (found.Count == 0)
            {
                if (_inventory.Find(n) is null) WriteJailNotFound(n);
                continue;
            }
            WriteObject(found, enumerateCollection: true);
        }
    }
}

using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Tools;

namespace JailsModule.Services;

/// <summary>Builds <see cref="JailHostCapabilities"/> from five native commands (freebsd-version, sysctl, id, kldstat, ifconfig -a).</summary>
public static class JailHostProbe
{
    public static JailHostCapabilities Probe(IJailHost host, CancellationToken ct, Action<ProcessRequest>? onCommand = null)
    {
        // Each failure is an answer here (a missing VIMAGE, not root...), so the runs are unchecked.
        var runner = new CommandRunner(host, ct, onCommand);
        ProcessResult Run(ProcessRequest r) => runner.RunUnchecked(r);

        var problems = new List<string>();
        var caps = new JailHostCapabilities { ComputerName = host.ComputerName };

        var fv = Run(HostProbeTool.FreebsdVersion());
        if (fv.Success) (caps.FreeBSDVersion, caps.UserlandVersion) = HostProbeTool.ParseFreebsdVersion(fv.StandardOutput);
        else problems.Add($"freebsd-version failed: {fv.ErrorText}");

        var sc = Run(HostProbeTool.Sysctl());
        var sysctl = HostProbeTool.ParseSysctlE(sc.StandardOutput);
        if (!sc.Success) problems.Add($"sysctl failed: {sc.ErrorText}");
        caps.Architecture = sysctl.GetValueOrDefault(HostProbeTool.ArchOid, "");
        caps.Vimage = sysctl.GetValueOrDefault(HostProbeTool.VimageOid) == "1";
        caps.Racct = sysctl.GetValueOrDefault(HostProbeTool.RacctOid) == "1";
        caps.IsJailed = sysctl.GetValueOrDefault(HostProbeTool.JailedOid) == "1";
        caps.SupportedParameters = HostProbeTool.JailParameterNames(sysctl.Keys);

        var id = Run(HostProbeTool.Id());
        caps.IsRoot = id.Success && IdTool.ParseUid(id.StandardOutput) == 0;

        var kld = Run(HostProbeTool.Kldstat());
        caps.LoadedModules = kld.Success ? HostProbeTool.ParseKldstat(kld.StandardOutput) : Array.Empty<string>();

        caps.IfBridge = caps.LoadedModules.Any(m => m is "if_bridge" or "if_bridge.ko");
        caps.IfEpair = caps.LoadedModules.Any(m => m is "if_epair" or "if_epair.ko");
        var ifs = Run(IfconfigTool.All());
        if (ifs.Success)
        {
            var all = IfconfigTool.ParseStatus(ifs.StandardOutput);
            var byName = all.ToDictionary(i => i.Name, StringComparer.Ordinal);
            caps.OffloadBridgeMember = all.Where(b => b.IsBridge).SelectMany(b => b.Members
                    .Where(m => byName.TryGetValue(m.Name, out var mi) && mi.HasOffload && mi.Description?.StartsWith("jail:", StringComparison.Ordinal) != true)
                    .Select(m => $"{b.Name}:{m.Name}")).ToArray();
            foreach (var bm in caps.OffloadBridgeMember)
                problems.Add($"Bridge {bm[..bm.IndexOf(':')]} has member {bm[(bm.IndexOf(':') + 1)..]} with LRO/TSO on: writes through a bridge and epairs can fall to near zero; run 'ifconfig {bm[(bm.IndexOf(':') + 1)..]} -lro -tso' (New-JailBridge does by default).");
        }

        if (!caps.IsRoot) problems.Add("Not running as root: creating, changing and removing jails needs uid 0.");
        if (caps.IsJailed) problems.Add("Running inside a jail: only child jails within its children.max can be managed.");
        if (!caps.Vimage) problems.Add("The kernel has no VIMAGE (kern.features.vimage is absent): VNET jails are not available.");
        if (!sysctl.ContainsKey(HostProbeTool.RacctOid))
            problems.Add("The kernel has no RACCT/RCTL: jail resource limits are not available.");
        else if (!caps.Racct)
            problems.Add("RACCT is disabled (kern.racct.enable=0): resource limits need kern.racct.enable=1 in /boot/loader.conf and a reboot.");
        if (caps.SupportedParameters.Length == 0 && sc.Success)
            problems.Add("The kernel lists no jail parameters (security.jail.param): jails are not supported.");
        caps.Problems = problems.ToArray();
        return caps;
    }
}

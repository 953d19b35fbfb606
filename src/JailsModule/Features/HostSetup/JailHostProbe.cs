using JailsModule.Host;
using JailsModule.Model;
using JailsModule.Tools;

namespace JailsModule.Services;

/// <summary>Builds <see cref="JailHostCapabilities"/> from six native commands (freebsd-version, sysctl twice, id, kldstat, ifconfig -a).</summary>
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
        if (fv.Success && HostProbeTool.ParseFreebsdVersion(fv.StandardOutput) is { Length: 3 } v)
            (caps.InstalledKernelVersion, caps.KernelVersion, caps.UserlandVersion) = (v[0], v[1], v[2]);
        else
        {
            // -k fails the whole script when the installed kernel cannot be found (set -e): ask for the rest.
            problems.Add($"freebsd-version -k failed: {(fv.ErrorText.Length > 0 ? fv.ErrorText : fv.StandardOutput.Trim())}");
            var fr = Run(HostProbeTool.FreebsdVersionRunning());
            if (fr.Success && HostProbeTool.ParseFreebsdVersion(fr.StandardOutput) is { Length: 2 } r)
                (caps.KernelVersion, caps.UserlandVersion) = (r[0], r[1]);
            else problems.Add($"freebsd-version failed: {fr.ErrorText}");
        }
        if (caps.InstalledKernelVersion.Length > 0 && caps.KernelVersion.Length > 0 && caps.InstalledKernelVersion != caps.KernelVersion)
            problems.Add($"The installed kernel ({caps.InstalledKernelVersion}) is not the running one ({caps.KernelVersion}): reboot to run it.");

        var sc = Run(HostProbeTool.Sysctl());
        var sysctl = HostProbeTool.ParseSysctlE(sc.StandardOutput);
        if (!sc.Success) problems.Add($"sysctl failed: {sc.ErrorText}");
        var np = Run(HostProbeTool.JailParameters());
        if (!np.Success) problems.Add($"sysctl -N {HostProbeTool.ParamNode} failed: {np.ErrorText}");
        caps.Architecture = sysctl.GetValueOrDefault(HostProbeTool.ArchOid, "");
        caps.Vimage = sysctl.GetValueOrDefault(HostProbeTool.VimageOid) == "1";
        caps.Racct = sysctl.GetValueOrDefault(HostProbeTool.RacctOid) == "1";
        caps.IsJailed = sysctl.GetValueOrDefault(HostProbeTool.JailedOid) == "1";
        caps.SupportedParameters = np.Success ? HostProbeTool.JailParameterNames(HostProbeTool.ParseNames(np.StandardOutput)) : Array.Empty<string>();

        var id = Run(HostProbeTool.Id());
        var uid = id.Success ? IdTool.ParseUid(id.StandardOutput) : null;
        caps.IsRoot = uid == 0;
        if (uid is null) problems.Add($"'id -u' could not tell the uid (exit {id.ExitCode}{(id.ErrorText.Length > 0 ? ": " + id.ErrorText : "")}): changes are refused (JailHostRootUnknown).");

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

        if (uid is > 0) problems.Add("Not running as root: creating, changing and removing jails needs uid 0.");
        if (caps.IsJailed) problems.Add("Running inside a jail: only child jails within its children.max can be managed.");
        if (!caps.Vimage) problems.Add("The kernel has no VIMAGE (kern.features.vimage is absent): VNET jails are not available.");
        if (!sysctl.ContainsKey(HostProbeTool.RacctOid))
            problems.Add("The kernel has no RACCT/RCTL: jail resource limits are not available.");
        else if (!caps.Racct)
            problems.Add("RACCT is disabled (kern.racct.enable=0): resource limits need kern.racct.enable=1 in /boot/loader.conf and a reboot.");
        if (caps.SupportedParameters.Length == 0 && np.Success)
            problems.Add("The kernel lists no jail parameters (security.jail.param): jails are not supported.");
        caps.Problems = problems.ToArray();
        return caps;
    }
}

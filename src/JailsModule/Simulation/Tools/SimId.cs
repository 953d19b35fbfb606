namespace JailsModule.Simulation.Tools;

/// <summary>
/// id(1) and whoami(1) for the simulated caller (SimState.Uid / UserName), following
/// usr.bin/id/id.c: getopt "PGMgnpru", exactly one of -G -P -g -p -u (or none), -u/-g print the
/// number or with -n the name; without options "uid=N(name) gid=N(group) groups=...".
/// A non-root caller has a primary group named like the user with gid = uid (adduser's default).
/// The module runs "id -u" to learn whether it is root before it changes anything.
/// </summary>
[SimulatedTool("/usr/bin/id")]
[SimulatedTool("/usr/bin/whoami")]
public sealed class SimId : ISimulatedTool
{
    private const string Usage =
        "usage: id [user]\n       id -G [-n] [user]\n       id -M\n       id -P [user]\n       id -g [-nr] [user]\n       id -p [user]\n       id -u [-nr] [user]\n";

    public SimResult Run(SimContext ctx, IReadOnlyList<string> args)
    {
        var s = ctx.State;
        int uid = s.Uid, gid = s.Uid == 0 ? 0 : s.Uid;
        string user = s.UserName, group = s.Uid == 0 ? "wheel" : s.UserName;

        if (ctx.ToolName == "whoami")
            return args.Count > 0 ? new SimResult(1, "", "usage: whoami\n") : SimResult.Ok(user + "\n");

        bool G = false, g = false, n = false, u = false, r = false, other = false;
        var opts = new SimGetopt(args, "PGMgnpru");
        for (var (c, _) = opts.Next(); c != '\0'; (c, _) = opts.Next())
        {
            switch (c)
            {
                case 'G': G = true; break;
                case 'g': g = true; break;
                case 'n': n = true; break;
                case 'u': u = true; break;
                case 'r': r = true; break;
                case 'P': case 'p': case 'M': other = true; break;
                default: return new SimResult(1, "", Usage);
            }
        }
        int picks = (G ? 1 : 0) + (g ? 1 : 0) + (u ? 1 : 0) + (other ? 1 : 0);
        if (picks > 1 || (picks == 0 && (n || r))) return new SimResult(1, "", Usage);
        if (other) return SimResult.Fail("id: option not simulated");
        if (opts.OptInd < args.Count)
        {
            var who = args[opts.OptInd];
            if (who != user && who != uid.ToString()) return SimResult.Fail($"id: {who}: no such user");
        }
        if (u) return SimResult.Ok((n ? user : uid.ToString()) + "\n");
        if (g) return SimResult.Ok((n ? group : gid.ToString()) + "\n");
        if (G) return SimResult.Ok((n ? group : gid.ToString()) + (uid == 0 ? (n ? " operator" : " 5") : "") + "\n");
        var groups = uid == 0 ? "groups=0(wheel), 5(operator)" : $"groups={gid}({group})";
        return SimResult.Ok($"uid={uid}({user}) gid={gid}({group}) {groups}\n");
    }
}

using JailsModule.Config;
using JailsModule.Host;
using JailsModule.Plans;
using JailsModule.Tools;

namespace JailsModule.Services;

/// <summary>
/// The jail(8) command line rc.d/jail runs for one jail (libexec/rc/rc.d/jail, reference §17.9):
/// <c>rc_flags=${jail_JV_flags:-$jail_flags}</c>, <c>command=${jail_JV_program:-$jail_program}</c>
/// (default /usr/sbin/jail), then <c>$command $rc_flags -i -f CONF -c J</c> to start and
/// <c>$command -q -f CONF -r J</c> to stop (stop takes no flags). JV is the name with every
/// non-alphanumeric character turned into '_' (<see cref="RcJailConf.Jv"/>). <c>$command</c> and
/// <c>$rc_flags</c> are unquoted expansions: the module splits them into words at IFS whitespace
/// (space, tab, newline) as sh does, and never runs a shell. A value in which sh would do more than
/// split (quotes, <c>$</c>, globs, <c>;</c>... ; rc.d/jail even <c>eval</c>s <c>$jail_flags</c>) is
/// refused rather than run differently. Unlike rc.d/jail the module passes the jail's own name to
/// <c>-c</c>/<c>-r</c> (rc.d passes J, which breaks hierarchical names).
/// </summary>
public sealed class RcJailCommand
{
    public static readonly RcJailCommand Default = new RcJailCommand(ToolPaths.Jail, Array.Empty<string>(), Array.Empty<string>());

    public RcJailCommand(string program, IReadOnlyList<string> programArgs, IReadOnlyList<string> flags)
    {
        Program = program;
        ProgramArgs = programArgs;
        Flags = flags;
    }

    /// <summary>The first word of <c>${jail_JV_program:-$jail_program}</c>: an absolute path.</summary>
    public string Program { get; }

    /// <summary>Further words of the program setting (an unquoted <c>$command</c> splits too).</summary>
    public IReadOnlyList<string> ProgramArgs { get; }

    /// <summary>The words of <c>${jail_JV_flags:-$jail_flags}</c> (start only).</summary>
    public IReadOnlyList<string> Flags { get; }

    /// <summary>$command $rc_flags -i -f CONF -c NAME.</summary>
    public ProcessRequest Start(string name, string configFile) => JailTool.Start(name, configFile, Program, ProgramArgs.Concat(Flags).ToArray());

    /// <summary>$command -q -f CONF -r NAME (without a file: -q -r NAME).</summary>
    public ProcessRequest Stop(string name, string? configFile) => JailTool.Stop(name, configFile, Program, ProgramArgs);

    /// <summary>From the host's rc.conf as rc.d/jail loads it (load_rc_config jail).</summary>
    public static RcJailCommand Read(IJailHost host, string name) => From(RcConf.Read(host, "jail"), name);

    /// <summary>
    /// From rc.conf variables. Throws <see cref="PlanPreconditionException"/> (JailRcFlagsUnsupported) for a
    /// value sh would expand or interpret beyond word splitting, or a program that is not an absolute path.
    /// </summary>
    public static RcJailCommand From(IReadOnlyDictionary<string, string> rc, string name)
    {
        var jv = RcJailConf.Jv(name);
        string? Var(string n) => rc.TryGetValue(n, out var v) ? v : null;
        // ${a:-b}: b when a is unset or empty. ": ${jail_program:=/usr/sbin/jail}" likewise.
        string Pick(string perJail, string global, string fallback, out string from)
        {
            var p = Var(perJail);
            if (!string.IsNullOrEmpty(p)) { from = perJail; return p; }
            var g = Var(global);
            from = global;
            return string.IsNullOrEmpty(g) ? fallback : g;
        }
        var flagsText = Pick($"jail_{jv}_flags", "jail_flags", "", out var flagsFrom);
        var programText = Pick($"jail_{jv}_program", "jail_program", ToolPaths.Jail, out var programFrom);
        Check(flagsFrom, flagsText, name);
        // rc.d/jail evals "rc_flags=\${jail_JV_flags:-$jail_flags}": $jail_flags is parsed by sh even when unused.
        if (flagsFrom != "jail_flags" && Var("jail_flags") is { } gf) Check("jail_flags", gf, name);
        Check(programFrom, programText, name);
        var program = Words(programText);
        if (program.Count == 0 || !program[0].StartsWith('/'))
            throw new PlanPreconditionException("JailRcFlagsUnsupported",
                $"rc.conf's {programFrom}=\"{programText}\" is not an absolute path; the module runs jail(8) only by absolute path (as rc.d/jail finds it through PATH).",
                name, PlanErrorKind.InvalidOperation);
        return new RcJailCommand(program[0], program.Skip(1).ToArray(), Words(flagsText));
    }

    /// <summary>Field splitting of an unquoted expansion with the default IFS (space, tab, newline).</summary>
    public static List<string> Words(string text)
        => text.Split(new[] { ' ', '\t', '\n' }, StringSplitOptions.RemoveEmptyEntries).ToList();

    private static void Check(string variable, string value, string name)
    {
        foreach (var c in value)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is ' ' or '\t' or '\n' or '-' or '_' or '.' or '/' or ',' or ':' or '=' or '@' or '%' or '+') continue;
            throw new PlanPreconditionException("JailRcFlagsUnsupported",
                $"rc.conf's {variable}=\"{value}\" contains '{c}', which sh would interpret when rc.d/jail runs it (quotes, expansions, globs, operators); " +
                "the module splits these words itself and never runs a shell, so it refuses rather than run a different command line. " +
                "Use plain words (options and paths) there.", name, PlanErrorKind.InvalidOperation);
        }
    }
}

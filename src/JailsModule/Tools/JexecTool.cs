using JailsModule.Host;

namespace JailsModule.Tools;

/// <summary>jexec(8) command lines (reference §5: getopt "lnu:U:"; -u is a host user, -U a user of the jail; not both).</summary>
public static class JexecTool
{
    /// <summary>jexec [-l] [-u HOSTUSER | -U JAILUSER] JAIL [command ...]. An empty command runs the user's shell (interactive).</summary>
    public static ProcessRequest Exec(string jail, IReadOnlyList<string> command, string? jailUser = null, string? hostUser = null, bool clean = false, string? stdin = null)
    {
        if (jailUser != null && hostUser != null)
            throw new ArgumentException("jexec takes -u (a host user) or -U (a user of the jail), not both.");
        var argv = new List<string>();
        if (clean) argv.Add("-l");
        if (hostUser != null) { argv.Add("-u"); argv.Add(hostUser); }
        if (jailUser != null) { argv.Add("-U"); argv.Add(jailUser); }
        argv.Add(jail);
        argv.AddRange(command);
        return new ProcessRequest(ToolPaths.Jexec, argv) { StandardInput = stdin };
    }

    /// <summary>
    /// A user name as passwd(5) allows it: letters, digits, '_', '.', '-', not starting with '-'
    /// (it would read as an option), at most 32 characters. Returns null when valid, else the reason.
    /// </summary>
    public static string? CheckUserName(string? user)
    {
        if (string.IsNullOrEmpty(user)) return "A user name cannot be empty.";
        if (user.Length > 32) return $"The user name '{user}' is longer than 32 characters.";
        if (user[0] == '-') return $"The user name '{user}' starts with '-', which jexec would read as an option.";
        foreach (var c in user)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '$'))
                return $"The user name '{user}' contains '{c}', which is not allowed in a user name.";
        return null;
    }
}

using JailsModule.Host;

namespace JailsModule.Services;

/// <summary>
/// rc.d/jail's record of a started jail: /var/run/jail_J.id holds the jid, where J is the jail name
/// with '/' and '.' turned into '_' (reference §6). Start-Jail writes it and Stop-Jail removes it,
/// as `service jail start|stop NAME` do, so the module and rc.d can be used interchangeably.
/// </summary>
public static class JailRunFile
{
    public static string PathFor(string name) => "/var/run/jail_" + name.Replace('/', '_').Replace('.', '_') + ".id";

    /// <summary>
    /// Records the jail's jid as rc.d/jail does: <c>jls -j NAME jid</c>, its output into the file. Returns a
    /// warning text when the jid could not be read or the file not written (the jail runs either way).
    /// </summary>
    public static string? Record(Plans.PlanContext context, string name)
    {
        var r = context.RunUnchecked(Tools.JlsTool.Jid(name));
        if (!r.Success || Tools.JlsTool.ParseJid(r.StandardOutput) is not { } jid)
            return $"The jail is running, but its jid could not be read for {PathFor(name)}: '{Tools.JlsTool.Jid(name).DisplayText}' " +
                   (r.Success ? $"printed '{r.StandardOutput.Trim()}'." : $"exited with {r.ExitCode}: {r.ErrorText}");
        return Write(context.Host, name, jid);
    }

    /// <summary>Writes the jid. Returns a warning text when it could not be written.</summary>
    public static string? Write(IJailHost host, string name, int jid)
    {
        try
        {
            host.WriteAllTextAtomic(PathFor(name), jid.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n", newFileMode: 0x1A4);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"The jail is running, but {PathFor(name)} could not be written: {ex.Message}";
        }
    }

    public static void Remove(IJailHost host, string name)
    {
        try
        {
            if (host.FileExists(PathFor(name))) host.DeleteFile(PathFor(name));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A stale id file is harmless: rc.d/jail overwrites it at the next start.
        }
    }
}

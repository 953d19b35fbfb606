namespace JailsModule.Config;

/// <summary>Entry points of the jail.conf(5) engine. (Placeholder: replaced by the engine of the jail.conf issue.)</summary>
public static class JailConf
{
    /// <summary>Reads a file with its includes and evaluates every jail, as jail(8) does.</summary>
    public static ConfLoadResult Load(string path, IConfFileSource source)
        => throw new NotImplementedException("The jail.conf engine is not built yet.");

    /// <summary>Parses and evaluates text as if it were the file <paramref name="fileName"/>.</summary>
    public static ConfLoadResult LoadText(string text, string fileName, IConfFileSource source)
        => throw new NotImplementedException("The jail.conf engine is not built yet.");

    /// <summary>What jail -f FILE -e SEP prints for these jails.</summary>
    public static string RenderJailE(IEnumerable<ConfJail> jails, string separator)
        => throw new NotImplementedException("The jail.conf engine is not built yet.");
}

namespace JailsModule.Config;

/// <summary>Where the config engine reads files and expands .include globs. The host and the simulator both provide one.</summary>
public interface IConfFileSource
{
    bool FileExists(string path);
    string ReadAllText(string path);

    /// <summary>Absolute paths matching a glob(3) pattern, sorted; none is fine.</summary>
    IReadOnlyList<string> Glob(string pattern);
}

/// <summary>One effective parameter of a jail after evaluation (what jail -e prints).</summary>
public sealed class ConfParameter
{
    public ConfParameter(string name, IReadOnlyList<string>? values, string file, int line)
    {
        Name = name;
        Values = values;
        File = file;
        Line = line;
    }

    /// <summary>The last spelling used (allow.nomount after allow.mount).</summary>
    public string Name { get; }

    /// <summary>null for the valueless form (<c>persist;</c>); otherwise the list (one item for a plain value).</summary>
    public IReadOnlyList<string>? Values { get; }

    /// <summary>File and line of the text that last set this value.</summary>
    public string File { get; }
    public int Line { get; }

    /// <summary>The single value, or the list joined with commas; null for the valueless form.</summary>
    public string? Value => Values is null ? null : string.Join(",", Values);

    public override string ToString() => Values is null ? Name : $"{Name}={Value}";
}

/// <summary>A jail as the configuration defines it, with its effective parameters in jail -e order.</summary>
public sealed class ConfJail
{
    public ConfJail(string name, IReadOnlyList<ConfParameter> parameters, string file, int line)
    {
        Name = name;
        Parameters = parameters;
        File = file;
        Line = line;
    }

    public string Name { get; }
    public IReadOnlyList<ConfParameter> Parameters { get; }

    /// <summary>Where the jail's block starts.</summary>
    public string File { get; }
    public int Line { get; }

    /// <summary>Problems jail(8) reports for this jail only (variable not found, loop...): the jail is failed, others are not.</summary>
    public List<string> Errors => _errors ??= new();
    private List<string>? _errors;

    public ConfParameter? Find(string name)
    {
        var key = ConfNames.Canonical(name);
        for (int i = Parameters.Count - 1; i >= 0; i--)
            if (ConfNames.Canonical(Parameters[i].Name) == key) return Parameters[i];
        return null;
    }
}

/// <summary>A syntax or include error, with the position and text jail(8) would report.</summary>
public sealed class ConfDiagnostic
{
    public ConfDiagnostic(string file, int line, int column, string text, string message)
    {
        File = file;
        Line = line;
        Column = column;
        Text = text;
        Message = message;
    }

    public string File { get; }
    public int Line { get; }
    public int Column { get; }

    /// <summary>The offending token or text.</summary>
    public string Text { get; }

    /// <summary>The message as jail(8) prints it after "jail: ", e.g. "/etc/jail.conf line 3: }: syntax error".</summary>
    public string Message { get; }

    public override string ToString() => Message;
}

public sealed class ConfLoadResult
{
    public ConfLoadResult(IReadOnlyList<ConfJail> jails, IReadOnlyList<ConfDiagnostic> errors, IReadOnlyList<string> files)
    {
        Jails = jails;
        Errors = errors;
        Files = files;
    }

    /// <summary>Non-wildcard jails in file order (the order jail -e prints).</summary>
    public IReadOnlyList<ConfJail> Jails { get; }

    /// <summary>Parse and include errors: any makes jail(8) exit 1 before doing anything.</summary>
    public IReadOnlyList<ConfDiagnostic> Errors { get; }

    /// <summary>Every file read, the top one first.</summary>
    public IReadOnlyList<string> Files { get; }

    public bool Success => Errors.Count == 0;
}

public static class ConfNames
{
    /// <summary>The name with a "no" prefix on its last component removed (allow.nomount -> allow.mount).</summary>
    public static string Canonical(string name)
    {
        int dot = name.LastIndexOf('.');
        var last = dot < 0 ? name : name[(dot + 1)..];
        if (last.StartsWith("no", StringComparison.Ordinal) && last.Length > 2)
            return dot < 0 ? last[2..] : name[..(dot + 1)] + last[2..];
        return name;
    }
}

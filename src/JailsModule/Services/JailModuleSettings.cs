using System.Text;
using JailsModule.Host;
using JailsModule.Model;

namespace JailsModule.Services;

/// <summary>
/// Where provisioning puts things, per host, kept in /usr/local/etc/jailsmodule.conf (sh-style
/// name="value" lines, like rc.conf). Defaults follow the FreeBSD Handbook's jail chapter:
/// zroot/jails/{media,templates,containers} mounted under /usr/local/jails.
/// </summary>
public sealed class JailModuleSettings
{
    public const string SettingsFile = "/usr/local/etc/jailsmodule.conf";

    /// <summary>Dataset under which templates are created (one child per template).</summary>
    public string TemplateRoot { get; set; } = "zroot/jails/templates";

    /// <summary>Mountpoint given to <see cref="TemplateRoot"/> when the module creates it.</summary>
    public string TemplateMountpoint { get; set; } = "/usr/local/jails/templates";

    /// <summary>Dataset under which jails are created (one child per jail).</summary>
    public string JailRoot { get; set; } = "zroot/jails/containers";

    /// <summary>Mountpoint given to <see cref="JailRoot"/> when the module creates it.</summary>
    public string JailMountpoint { get; set; } = "/usr/local/jails/containers";

    /// <summary>Folder holding downloaded distribution sets (RELEASE-SET.txz, RELEASE-MANIFEST).</summary>
    public string MediaPath { get; set; } = "/usr/local/jails/media";

    /// <summary>Mirror base URL: sets are at MIRROR/ARCH/ARCH/RELEASE/SET.txz.</summary>
    public string Mirror { get; set; } = "https://download.freebsd.org/releases";

    /// <summary>Seconds a change waits for a jail name, dataset or file another plan holds before ResourceLocked (0: fail at once).</summary>
    public int LockTimeout { get; set; } = 60;

    private string? _badLockTimeout;

    public static readonly string[] Keys = { "TemplateRoot", "TemplateMountpoint", "JailRoot", "JailMountpoint", "MediaPath", "Mirror", "LockTimeout" };

    /// <summary>Most bytes read from the settings file (a few hundred in practice).</summary>
    public const long MaxFileBytes = 1L << 20;

    /// <summary>
    /// The settings as the file gives them, unchecked (<see cref="Validate"/> checks them), so
    /// Set-JailModuleSetting can repair a file with a bad value. A file that cannot be read (not a
    /// regular file, too large, no permission) is InvalidDataException naming it.
    /// </summary>
    public static JailModuleSettings Load(IJailHost host)
    {
        var s = new JailModuleSettings();
        if (!host.FileExists(SettingsFile)) return s;
        string text;
        try { text = host.ReadRegularFile(SettingsFile, MaxFileBytes); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (e is FileNotFoundException) return s;
            throw new InvalidDataException($"{SettingsFile}: {e.Message}", e);
        }
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            int eq = line.IndexOf('=');
            if (eq <= 0) continue;
            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
            s.Set(key, value);
        }
        return s;
    }

    public void Set(string key, string value)
    {
        switch (key)
        {
            case "TemplateRoot": TemplateRoot = value; break;
            case "TemplateMountpoint": TemplateMountpoint = value; break;
            case "JailRoot": JailRoot = value; break;
            case "JailMountpoint": JailMountpoint = value; break;
            case "MediaPath": MediaPath = value; break;
            case "Mirror": Mirror = value; break;
            case "LockTimeout":
                if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var t) && t <= 86400) { LockTimeout = t; _badLockTimeout = null; }
                else _badLockTimeout = value;
                break;
        }
    }

    /// <summary>Null when every value is valid, else the first problem.</summary>
    public string? Validate()
    {
        if (_badLockTimeout != null || LockTimeout is < 0 or > 86400)
            return $"LockTimeout '{_badLockTimeout ?? LockTimeout.ToString(System.Globalization.CultureInfo.InvariantCulture)}' is not a whole number of seconds from 0 to 86400.";
        return ProvisionValidation.Dataset(TemplateRoot)
            ?? ProvisionValidation.Dataset(JailRoot)
            ?? ProvisionValidation.AbsolutePath(TemplateMountpoint)
            ?? ProvisionValidation.AbsolutePath(JailMountpoint)
            ?? ProvisionValidation.AbsolutePath(MediaPath)
            ?? ProvisionValidation.Mirror(Mirror)
            ?? (TemplateRoot == JailRoot || ProvisionValidation.IsUnder(TemplateRoot, JailRoot) || ProvisionValidation.IsUnder(JailRoot, TemplateRoot)
                ? "TemplateRoot and JailRoot must not contain each other." : null);
    }

    public string Render()
    {
        var sb = new StringBuilder("# JailsModule settings (Set-JailModuleSetting)\n");
        foreach (var k in Keys) sb.Append(k).Append("=\"").Append(Get(k)).Append("\"\n");
        return sb.ToString();
    }

    public string Get(string key) => key switch
    {
        "TemplateRoot" => TemplateRoot,
        "TemplateMountpoint" => TemplateMountpoint,
        "JailRoot" => JailRoot,
        "JailMountpoint" => JailMountpoint,
        "MediaPath" => MediaPath,
        "Mirror" => Mirror,
        "LockTimeout" => LockTimeout.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"Unknown setting '{key}'."),
    };
}

using JailsModule.Host;
using JailsModule.Simulation;

namespace JailsModule.Sim;

/// <summary>
/// jailsim: runs one program of the simulated FreeBSD host as a process of its own, the way FreeBSD
/// runs jls, zfs or jail: argv in, stdout/stderr/exit status out, stdin passed through.
///
///   jailsim [-d DIR] [-e NAME=VALUE]... [--] PROGRAM [ARG...]
///
/// DIR is the simulator folder (default: $JAILSMODULE_SIMULATOR). PROGRAM is an absolute path
/// (/sbin/zfs) or a name looked up in the simulated PATH (/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin).
/// -e adds a variable to the program's environment (it starts from LC_ALL=C and that PATH, as the
/// module's commands do). Exit status: the program's; 127 when it does not exist on the simulated host;
/// 64 for a bad jailsim command line; 70 when the simulator itself failed.
/// Connect-JailHost -Simulator -OutOfProcess makes the module run every command through it.
/// </summary>
public static class Program
{
    public const int NotFound = 127;
    public const int Usage = 64;
    public const int Software = 70;

    private static readonly string[] SearchPath = { "/sbin", "/bin", "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin" };

    public static int Main(string[] args)
    {
        string? dir = Environment.GetEnvironmentVariable("JAILSMODULE_SIMULATOR");
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        int i = 0;
        for (; i < args.Length; i++)
        {
            var a = args[i];
            if (a == "--") { i++; break; }
            if (a is "-d" or "-e")
            {
                if (i + 1 >= args.Length) return Fail(Usage, $"option {a} needs a value");
                var v = args[++i];
                if (a == "-d") dir = v;
                else
                {
                    int eq = v.IndexOf('=');
                    if (eq <= 0) return Fail(Usage, $"-e {v}: expected NAME=VALUE");
                    env[v[..eq]] = v[(eq + 1)..];
                }
                continue;
            }
            if (a is "-h" or "--help") { Console.Out.Write(UsageText); return 0; }
            if (a.Length > 1 && a[0] == '-') return Fail(Usage, $"unknown option {a}");
            break;
        }
        if (i >= args.Length) return Fail(Usage, "no program given");
        if (string.IsNullOrEmpty(dir)) return Fail(Usage, "no simulator folder: give -d DIR or set JAILSMODULE_SIMULATOR");

        try
        {
            var host = new SimulatedHost(dir);
            var program = Resolve(host, args[i]);
            if (program is null) return Fail(NotFound, $"{args[i]}: No such file or directory");
            // stdin and stdout are byte streams passed through to the program: a program that streams
            // (cat of a pipe) moves any bytes, of any size, without holding them; the others get
            // their input as text, read before they run, as before.
            using var stdin = Console.IsInputRedirected ? Console.OpenStandardInput() : null;
            using var stdout = Console.OpenStandardOutput();
            var request = new ProcessRequest(program, args.Skip(i + 1))
            {
                StandardInputStream = stdin,
                StandardOutputStream = stdout,
                Environment = env.Count == 0 ? null : env,
            };
            ProcessResult r;
            try { r = host.RunAsync(request, CancellationToken.None).GetAwaiter().GetResult(); }
            catch (ToolNotFoundException) { return Fail(NotFound, $"{program}: No such file or directory"); }
            using (var e = Console.OpenStandardError()) Write(e, r.StandardError);
            return r.ExitCode & 0xFF;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or System.Text.Json.JsonException)
        {
            return Fail(Software, $"simulator folder {dir}: {ex.Message}");
        }
        catch (Exception ex)
        {
            return Fail(Software, $"internal error: {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>An absolute path as given; a bare name through the simulated PATH, like execvp(3).</summary>
    internal static string? Resolve(SimulatedHost host, string name)
    {
        if (name.StartsWith('/')) return host.FileExists(name) ? name : null;
        if (name.Contains('/')) return null;
        foreach (var d in SearchPath)
            if (host.FileExists(d + "/" + name)) return d + "/" + name;
        return null;
    }

    private static void Write(Stream s, string text)
    {
        if (text.Length == 0) return;
        var bytes = new System.Text.UTF8Encoding(false).GetBytes(text);
        s.Write(bytes, 0, bytes.Length);
    }

    private static int Fail(int code, string message)
    {
        Console.Error.Write("jailsim: " + message + "\n");
        return code;
    }

    private const string UsageText =
        "usage: jailsim [-d DIR] [-e NAME=VALUE]... [--] PROGRAM [ARG...]\n" +
        "Runs PROGRAM of the simulated FreeBSD host in DIR (default: $JAILSMODULE_SIMULATOR).\n";
}

using JailsModule.Config;
using JailsModule.Simulation.Conf;
using JailsModule.Tests.Config;
using Xunit;

namespace JailsModule.Tests.Simulation.Conf;

/// <summary>The simulator's own jail.conf reader read through ISimConfFiles from the same in-memory tree as the module's engine.</summary>
internal sealed class MemoryFiles : ISimConfFiles
{
    private readonly MemorySource _src;
    public MemoryFiles(MemorySource src) => _src = src;
    public bool FileExists(string path) => _src.FileExists(path);
    public string ReadAllText(string path) => _src.ReadAllText(path);
    public IReadOnlyList<string> Glob(string pattern) => _src.Glob(pattern);
}

/// <summary>
/// Differential tests: the module's engine (src/JailsModule/Config) and the simulator's reader
/// (Simulation/Conf, written separately from usr.sbin/jail) must agree on every real sample and on the
/// tricky cases, in what jail -e prints, in the per-jail warnings and in the syntax errors.
/// </summary>
public class SimJailConfDifferentialTests
{
    internal static string FixtureRoot => Path.Combine(AppContext.BaseDirectory, "Fixtures", "jail-conf-samples");

    public static IEnumerable<object[]> Samples() =>
        Directory.EnumerateFiles(FixtureRoot, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".md", StringComparison.Ordinal) && Path.GetFileName(f) != "README")
            .Select(f => new object[] { Path.GetRelativePath(FixtureRoot, f) })
            .OrderBy(x => (string)x[0], StringComparer.Ordinal);

    private static (bool Ok, string Out, string Diag) Module(string text, MemorySource src, string file)
    {
        var r = JailConf.LoadText(text, file, src);
        var diag = string.Join("\n", r.Errors.Select(e => e.Message).Concat(r.Jails.SelectMany(j => j.Errors)));
        return (r.Success, r.Success ? JailConf.RenderJailE(r.Jails, "|") : "", diag);
    }

    private static (bool Ok, string Out, string Diag) Sim(string text, MemorySource src, string file)
    {
        var r = SimJailConfParser.LoadText(text, file, new MemoryFiles(src));
        var diag = string.Join("\n", r.Errors.Concat(r.Jails.SelectMany(j => j.Errors)));
        return (r.Success, r.Success ? SimJailConfParser.RenderJailE(r.Jails, "|") : "", diag);
    }

    private static void Same(string text, MemorySource? src = null, string file = "/tmp/t.conf")
    {
        src ??= new MemorySource();
        var m = Module(text, src, file);
        var s = Sim(text, src, file);
        Assert.Equal(m.Diag, s.Diag);
        Assert.Equal(m.Ok, s.Ok);
        Assert.Equal(m.Out, s.Out);
    }

    /// <summary>Samples of rc.conf and kernel-config format kept beside the jail.conf ones: both readers must reject them alike.</summary>
    private static readonly HashSet<string> RcConfFormat = new() { "rc.conf.jails", "rcjail.xxx.conf", "VIMAGE" };

    [Theory]
    [MemberData(nameof(Samples))]
    public void RealSampleReadsTheSameInBoth(string relative)
    {
        var text = File.ReadAllText(Path.Combine(FixtureRoot, relative));
        var src = new MemorySource().Add("/etc/jail.conf", text);
        var m = Module(text, src, "/etc/jail.conf");
        var s = Sim(text, src, "/etc/jail.conf");
        Assert.Equal(m.Diag, s.Diag);
        Assert.Equal(m.Ok, s.Ok);
        Assert.Equal(m.Out, s.Out);
        // The jail.conf samples are valid (some hold only global parameters for jails defined elsewhere, so print nothing).
        if (!relative.Contains("templates-not-valid") && !RcConfFormat.Contains(Path.GetFileName(relative)))
            Assert.True(s.Ok, s.Diag);
    }

    public static IEnumerable<object[]> Tricky() => new[]
    {
        // §1.1, §2.7, §15, §16 of the reference, and more.
        "path = \"/var/jail/$name\";\nexec.start = \"/bin/sh /etc/rc\";\nmount.devfs;\nfoo {\n    host.hostname = \"foo.example\";\n    ip4.addr = 10.1.1.1, 10.1.1.2;\n}\nbar { exec.start = ''; persist; }\n",
        "web { path = /jails/$name; }", "web { path = '/jails/$name'; }",
        "web { $host = web; host.hostname = \"$host.example\"; }", "web { host.hostname = \"$host.example\"; }",
        "j { x = \"a\"'b'c; }", "x = \"a\" 'b';", "j {\nexec.start = \"/bin/sh /etc/rc\"  // comment\n}\n",
        "j { path = /a//b;\n}\n", "j { x = 'it\\'s'; }", "j { x = \"line1\\\nline2\"; }",
        "j { allow.mount; allow.nomount; }", "j { ip4.addr = 10.0.0.1; ip4.addr += 10.0.0.2; }",
        "$d = /jails; path = \"$d/$name\"; web { }", "a { b { persist; } }", "a { b { c { x = 1; } } y = 2; }",
        "j { x = a#b;\n; }", "j { x = a#b; }\n", "j { x = \"http://x\"; }", "j { x = 'a\\\\b'; }", "j { x = a\\\nb; }",
        "j { x = \"a\" \"b\"; }", "j { host.hostname \"x\"; }", "j { host.hostname = h; path = \"/j/${host.hostname}\"; }",
        "path = \"/j/$name\"; a { } b { }", "foo\"bar\" { }", "foo.* { persist; }", "\"foo.*\" { persist; } foo.a { }",
        "web { name = x; }", "5 { name = x; }", "web { jid = 7; }", "* { x = 0; } a { x = 1; }", "a { x = 1; } * { x = 2; }",
        "a { x = 1; } x = 2; b { y = 1; } z = 3;", "5 { persist; }", "j { x = \"a|b\"; }", "j { x = \"a,b\"; } k { x = a, b; }",
        "j { v = \"back\\\\slash\"; }", "j { v = 'say \"x\"'; }", "j { v = \"it's \\\\\"; }", "j { v = \"a\\\"'\"; }",
        "7 { path = \"/j/${name}\"; }", "7 { x = 1; name = web7; }", "j { .include = \"f\"; }",
        "\"web*\" { a = 1; } webx { }", "\"foo.*\" { w; } foo { } foo.bar { } foo.bar.baz { }",
        "\"*.bar\" { w; } a.bar { } a.b.bar { }", "\"foo.*.baz\" { w; } foo.x.baz { } foo.x.y.baz { }",
        "j { x = a,\\\n b; }", "j { host.hostname = lc.\\\nexample; }", "x = \"abc\ny {\n}\n", "a { }\n/* open\n",
        // += on the wildcard and on globals, before and after the jail.
        "* { ip4.addr += 10.0.0.9; } j { ip4.addr = 10.0.0.1; }", "j { ip4.addr = 10.0.0.1; } * { ip4.addr += 10.0.0.9; }",
        "ip4.addr = 10.0.0.1; j { ip4.addr += 10.0.0.2; } ip4.addr += 10.0.0.3;",
        "exec.start += a; exec.start += b; j { exec.start += c; }",
        // Variables: arrays, loops, chains, unknowns, the jail's own parameters.
        "$ips = 10.0.0.1, 10.0.0.2; j { ip4.addr = $ips; }", "$ips = a, b; j { x = \"p$ips\"; }",
        "j { $a = \"$b\"; $b = \"$a\"; x = $a; }", "j { $a = \"$b/x\"; $b = \"$c/y\"; $c = z; p = \"$a\"; }",
        "j { a = \"$b\"; b = \"$c\"; c = 1; }", "j { persist; x = \"$persist\"; }", "j { path = \"$path/x\"; }",
        "j { x = ${undefined}; y = 2; }", "$path = x; j { }", "j { $x = 1; x = 2; }", "j { x = 1; $x = 2; }",
        "j { x = \"${a.b}\"; a.b = q; }", "j { x = \"cost $5 and $\"; }", "j { x = \"$name.$name\"; }",
        // Escapes, quoting, comments.
        "j { x = \"\\t\\n\\101\\x41\\q\"; }", "j { x = 'a$b'; }", "j { x = a'b c'd; }", "j { x = \"\"; y = ''; }",
        "# c\nj { x = 1; } // c\n/* c\nc */ k { }", "j { x = a/b/c; y = +; z = *; }", "j { x = a+b; }",
        "j { \"exec.start\" = \"x\"; }", ";;; j { ;; x; ; } ;", "j { x = 1 }", "j { x = 1;", "}", "j { = 1; }",
        "j { x = 'open\n}\n", "j { x = ${open\n}\n", "j { x = 1; } j { y = 2; }", "0 { x = 1; }", "-1 { x = 1; }",
        "j { allow.nomount = false; allow.raw_sockets = 0; }", "j { mount.nodevfs; mount.devfs = 1; }",
        "* { host.hostname = \"$name.example.org\"; } a { } b { host.hostname = b; }",
        // More corners: "no" spellings of variables, nested wildcards, repeated blocks, odd names.
        "j { $x = 1; $nox = 2; y = $x; }", "j { noname = x; }", "a { * { w; } b { } c { d { } } }", "a.b { x = 1; } a { b { y = 2; } }",
        "\"\" { x = 1; }", "j { x = \"$\"; }", "j { x = \"a${}b\"; }", "j { x = $; }", "* { * { n; } }", "web { jid = 7; jid = 8; }",
        "j { exec.start = \"a\", \"b\"; exec.start += c; exec.start; }", "j { ip4 = new; ip4.addr = 1; ip4.noaddr; }",
        "$a = x, y; j { v = \"${a}\"; w = $a$a; }", "j { a = 1; b = \"$a\"; a = 2; }", "j { b = \"$a\"; a = \"$c\"; c = \"$b\"; }",
        "j { x = 'a\\\nb'; }", "j { x = \"\\101\\0z\"; }", "j\\x { }", "j { x = 1; };", "{ }", "j { } }", "j { x { y = 1; } = 2; }",
    }.Select(t => new object[] { t });

    [Theory]
    [MemberData(nameof(Tricky))]
    public void TrickyCaseReadsTheSameInBoth(string text) => Same(text);

    [Fact]
    public void IncludesReadTheSameInBoth()
    {
        var src = new MemorySource()
            .Add("/etc/jail.conf.d/a.conf", "a { persist; }\n")
            .Add("/etc/jail.conf.d/b.conf", "b { x = \"$g\"; }\n")
            .Add("/etc/sub/x.conf", "x { persist; }\n")
            .Add("/etc/inner.conf", "y = 1; inc { z = 2; }\n");
        Same("$g = G;\n.include \"/etc/jail.conf.d/*.conf\";\nc { }\n", src, "/etc/jail.conf");
        Same(".include \"sub/x.conf\";", src, "/etc/jail.conf");
        Same(".include \"sub/missing.conf\";", src, "/etc/jail.conf");
        Same(".include \"none/*.conf\"; a { }", src, "/etc/jail.conf");
        Same("outer { .include \"inner.conf\"; }", src, "/etc/jail.conf");
        Same(".include \"$x.conf\";", src, "/etc/jail.conf");
        Same(".include \"sub/x.conf\", \"inner.conf\";", src, "/etc/jail.conf");
    }
}

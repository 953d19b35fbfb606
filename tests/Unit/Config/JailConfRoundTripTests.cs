using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using JailsModule.Config;
using Xunit;

namespace JailsModule.Tests.Config;

public class JailConfRoundTripTests
{
    private static readonly string SampleDir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "jail-conf-samples");

    public static IEnumerable<object[]> Samples()
        => Directory.EnumerateFiles(SampleDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(SampleDir, f))
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => new object[] { f });

    private static string ReadSample(string rel) => File.ReadAllText(Path.Combine(SampleDir, rel));

    [Theory]
    [MemberData(nameof(Samples))]
    public void EverySample_PrintsBackByteForByte(string rel)
    {
        var text = ReadSample(rel);
        Assert.Equal(text, ConfSyntaxTree.Parse(text, "/etc/jail.conf").ToString());
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Samples_ParseExactlyWhenTheyAreJailConf(string rel)
    {
        var text = ReadSample(rel);
        var tree = ConfSyntaxTree.Parse(text, "/etc/jail.conf");
        bool config = rel.EndsWith(".conf", StringComparison.Ordinal) || rel.EndsWith(".j2", StringComparison.Ordinal) || rel.EndsWith(".jconf", StringComparison.Ordinal);
        // README, VIMAGE, rc.conf.jails and rcjail.xxx.conf (rc.conf sh syntax): only the byte-exact round trip applies.
        if (!config || rel.EndsWith("rcjail.xxx.conf", StringComparison.Ordinal)) return;
        bool shouldParse = !rel.Contains("templates-not-valid", StringComparison.Ordinal);
        Assert.True(shouldParse == !tree.HasErrors, rel + ": " + string.Join("; ", tree.Diagnostics.Select(d => d.Message)));
    }

    [Fact]
    public void Sample_JailXxx_Evaluates()
    {
        var r = JailConf.LoadText(ReadSample("freebsd/jail.xxx.conf"), "/etc/jail.xxx.conf", new MemorySource());
        Assert.True(r.Success);
        var j = Assert.Single(r.Jails);
        Assert.Equal("xxx", j.Name);
        Assert.Empty(j.Errors);
    }

    [Fact]
    public void Sample_CommandsJailConf_Evaluates()
    {
        var r = JailConf.LoadText(ReadSample("freebsd/commands.jail.conf"), "/etc/jail.conf", new MemorySource());
        Assert.True(r.Success);
        var basejail = r.Jails.First(j => j.Name == "basejail");
        Assert.Equal("name=basejail exec.prestop=\"echo STOP\" exec.prestart=\"echo START\" persist",
            JailConf.RenderJailE(new[] { basejail }, " ").TrimEnd('\n'));
    }

    // ------------------------------------------------------------------ properties

    private static readonly string[] Atoms =
    {
        "a", "b", "web", "x.y", "10.0.0.1", "/", "//", "/*", "*/", "*", "#", "\n", " ", "\t", "\r\n", "\"", "'", "\\", "\\\n",
        "$", "$a", "${a}", "${", "{", "}", ";", ",", "=", "+=", "+", "-", "é", "\0", "\x01", "no", ".include", "\"x\"", "'y'",
    };

    private static Arbitrary<string> ConfishText()
        => Gen.Elements(Atoms).ArrayOf().Select(a => string.Concat(a)).ToArbitrary();

    [Property(MaxTest = 2000)]
    public Property PrintOfParse_IsIdentity_ForArbitraryInput()
        => Prop.ForAll(ConfishText(), s => ConfSyntaxTree.Parse(s, "/f").ToString() == s);

    [Property(MaxTest = 500)]
    public Property PrintOfParse_IsIdentity_ForRandomUnicode()
        => Prop.ForAll(ArbMap.Default.ArbFor<string>(), s => s is null || ConfSyntaxTree.Parse(s, "/f").ToString() == s);

    // A model: jails with parameters (name -> null for valueless, or a list of values).
    public sealed record Model(List<(string Jail, List<(string Name, string[]? Values)> Params)> Jails);

    private static readonly string[] ParamNames = { "path", "host.hostname", "persist", "allow.raw_sockets", "exec.start", "ip4.addr", "x.y_z", "devfs_ruleset" };

    private static Gen<string> ValueGen()
        => Gen.OneOf(
            Gen.Elements("web", "/usr/local/jails/web", "10.0.0.1", "a b", "it's", "say \"hi\"", "$name", "${x}", "back\\slash",
                "", "http://x/y", "/a/*b", "a#b", "a,b", "tab\tnl\n", "é", "{}", "a;b", "1"),
            Gen.Elements('a', 'Z', '0', ' ', '$', '\\', '"', '\'', '#', '/', '*', ',', ';', '=', '{', '}', '\n', '\t', 'é', '+', '.')
                .ArrayOf().Select(cs => new string(cs)));

    private static Arbitrary<Model> ModelArb()
    {
        var values = Gen.OneOf(Gen.Constant<string[]?>(null), ValueGen().NonEmptyListOf().Select(l => (string[]?)l.Take(4).ToArray()));
        var param = Gen.Elements(ParamNames).Zip(values, (n, v) => (n, v));
        var jail = Gen.Elements("web", "db", "a.b", "j1", "mail").Zip(param.ListOf(), (n, ps) =>
            (n, ps.GroupBy(p => p.n).Select(g => g.Last()).ToList()));
        return jail.ListOf().Select(js => new Model(js.GroupBy(j => j.n).Select(g => g.Last()).Select(j => (j.n, j.Item2)).ToList())).ToArbitrary();
    }

    [Property(MaxTest = 300)]
    public Property EvaluateOfRender_IsTheModel()
        => Prop.ForAll(ModelArb(), m =>
        {
            var doc = JailConfDocument.Empty("/etc/jail.conf");
            foreach (var (jail, ps) in m.Jails)
            {
                doc.AddJail(jail);
                foreach (var (n, v) in ps) doc.SetParameter(jail, n, v);
            }
            var r = JailConf.LoadText(doc.ToString(), "/etc/jail.conf", new MemorySource());
            if (!r.Success || r.Jails.Count != m.Jails.Count) return false;
            for (int i = 0; i < m.Jails.Count; i++)
            {
                var cj = r.Jails[i];
                if (cj.Name != m.Jails[i].Jail || cj.Errors.Count != 0) return false;
                var got = cj.Parameters.Skip(1).ToList(); // name first
                var want = m.Jails[i].Params;
                if (got.Count != want.Count) return false;
                for (int k = 0; k < want.Count; k++)
                {
                    if (got[k].Name != want[k].Name) return false;
                    if (want[k].Values is null ? got[k].Values is not null : got[k].Values is null || !got[k].Values!.SequenceEqual(want[k].Values!)) return false;
                }
            }
            return true;
        });
}

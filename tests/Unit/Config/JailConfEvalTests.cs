using JailsModule.Config;
using Xunit;

namespace JailsModule.Tests.Config;

public class JailConfEvalTests
{
    internal static string E(string text, string sep = "|", MemorySource? src = null, string file = "/tmp/t.conf")
    {
        var r = JailConf.LoadText(text, file, src ?? new MemorySource());
        Assert.True(r.Success, string.Join("\n", r.Errors.Select(e => e.Message)));
        return JailConf.RenderJailE(r.Jails, sep);
    }

    internal static IReadOnlyList<string> Errors(string text, MemorySource? src = null, string file = "/tmp/t.conf")
        => JailConf.LoadText(text, file, src ?? new MemorySource()).Errors.Select(e => e.Message).ToList();

    [Fact]
    public void WorkedExample_Section1_1()
    {
        var text = "# /tmp/t.conf\npath = \"/var/jail/$name\";\nexec.start = \"/bin/sh /etc/rc\";\nmount.devfs;\nfoo {\n    host.hostname = \"foo.example\";\n    ip4.addr = 10.1.1.1, 10.1.1.2;\n}\nbar { exec.start = ''; persist; }\n";
        Assert.Equal(
            "name=foo|path=/var/jail/foo|exec.start=\"/bin/sh /etc/rc\"|mount.devfs|host.hostname=foo.example|ip4.addr=10.1.1.1,10.1.1.2\n" +
            "name=bar|path=/var/jail/bar|exec.start=\"\"|mount.devfs|persist\n", E(text));
    }

    [Fact]
    public void GlobalRecord_Section16_3()
    {
        Assert.Equal("name=a|x=2|z=3\nname=b|x=2|z=3|y=1\n", E("a { x = 1; } x = 2; b { y = 1; } z = 3;"));
    }
}

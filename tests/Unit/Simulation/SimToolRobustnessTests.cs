using Xunit;

namespace JailsModule.Tests.Simulation;

/// <summary>
/// Arbitrary argv never makes a simulated tool throw (a throw would surface as a crash of the cmdlet,
/// not as the tool's exit status): every answer is an exit status with text. Deterministic seeds.
/// </summary>
public sealed class SimToolRobustnessTests : SimHostTestBase
{
    private static readonly string[] Tokens =
    {
        "-c", "-r", "-m", "-cm", "-rc", "-mr", "-R", "-q", "-v", "-i", "-d", "-l", "-e", "|", "-f", "/etc/jail.conf", "-",
        "-J", "/tmp/jids", "-u", "-U", "root", "www", "-n", "-s", "2", "-p", "1", "-h",
        "name=web", "name=a.b", "name=", "persist", "nopersist", "persist=maybe", "path=/", "path=/jails/web", "path=rel",
        "ip4.addr=192.0.2.1,192.0.2.2", "ip4.addr=em0|192.0.2.9/24", "ip6.addr=::1", "ip4.addr=bad", "interface=em0",
        "vnet", "vnet=new", "vnet.interface=epair0b", "children.max=1", "jid=7", "jid=x", "mount.devfs", "mount.procfs",
        "mount=devfs /jails/web/dev devfs rw 0 0", "mount.fstab=/etc/fstab.web", "exec.start=echo hi", "exec.prestart=false",
        "exec.poststop=echo $JID", "exec.jail_user=nobody", "exec.consolelog=/var/log/j.log", "depend=db", "command=/bin/echo",
        "command", "x", "*", "web", "1", "", " ", "=", "--", "-", "-x", "allow.mount", "allow.nomount=false", "securelevel=3", "/", "//", "..", "-fx", "-j", "-jweb", "a=b", "+=", "a+=x", "a-=", "jail_list+=web", "-x", "-c", "-N", "-A", "-a", "-D", "-E", "-F", "-s", "sshd", "onestart", "onestop", "status", "restart", "/bin/sh", "-c", "echo $((1))", "exit 300", ">", ">>", "2>&1", "&&", "||", ";", "'", "\"", "\\"
    };

    private string[] RandomArgv(Random rnd)
    {
        var n = rnd.Next(0, 7);
        var a = new string[n];
        for (int i = 0; i < n; i++) a[i] = Tokens[rnd.Next(Tokens.Length)];
        return a;
    }

    [Theory]
    [InlineData("/usr/sbin/jail", 11)]
    [InlineData("/usr/sbin/jexec", 12)]
    [InlineData("/usr/sbin/jls", 13)]
    [InlineData("/sbin/sysctl", 14)]
    [InlineData("/usr/sbin/sysrc", 15)]
    [InlineData("/usr/sbin/service", 16)]
    [InlineData("/sbin/kldstat", 17)]
    [InlineData("/sbin/kldload", 18)]
    [InlineData("/bin/sh", 19)]
    public void RandomArgvGivesAnExitStatusNotAnException(string tool, int seed)
    {
        Root("/jails/web");
        Write("/etc/jail.conf", "persist;\nweb { path = /jails/web; mount.devfs; exec.start = \"/bin/sh /etc/rc\"; }\ndb { path = /jails/web; depend = web; }\n");
        Write("/etc/fstab.web", "tmpfs /jails/web/tmp tmpfs rw 0 0\n");
        Assert.Equal(0, Run("/usr/sbin/jail", "-c", "web").ExitCode);
        var rnd = new Random(seed);
        for (int i = 0; i < 300; i++)
        {
            var argv = RandomArgv(rnd);
            var prefix = tool == "/usr/sbin/jexec" ? new[] { "web" } : tool == "/usr/sbin/service" ? new[] { "jail" } : Array.Empty<string>();
            var full = prefix.Concat(argv).ToArray();
            var ex = Record.Exception(() => Run(tool, full));
            Assert.True(ex is null, $"{tool} {string.Join(' ', full)} threw {ex}");
        }
    }
}

using Xunit;

namespace JailsModule.Tests.Simulation;

/// <summary>
/// jexec -l/-u/-U and jail(8)'s exec.clean apply the user's login class (usr.sbin/jexec/jexec.c,
/// usr.sbin/jail/command.c run_command, lib/libutil/login_class.c): PATH from login.conf's path, the
/// LOGIN_SETENV variables, USER/HOME/SHELL, and (-l, exec.clean) a clean environment and the home directory.
/// </summary>
public sealed class SimLoginClassTests : SimToolTestBase
{
    private const string RootPath = "PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin:/root/bin\n";

    private void WebJail()
    {
        Root("/jails/web");
        Assert.Equal(0, Jail("-c", "name=web", "path=/jails/web", "persist").ExitCode);
    }

    [Fact]
    public void JexecL_SetsTheLoginClassEnvironmentAndNothingElse()
    {
        WebJail();
        var env = Ok("/usr/sbin/jexec", "-l", "web", "env");
        Assert.Contains(RootPath, env);
        Assert.Contains("HOME=/root\n", env);
        Assert.Contains("SHELL=/bin/sh\n", env);
        Assert.Contains("USER=root\n", env);
        Assert.Contains("LANG=C.UTF-8\n", env);      // lang
        Assert.Contains("MM_CHARSET=UTF-8\n", env);  // charset
        Assert.Contains("MAIL=/var/mail/root\n", env); // mail=/var/mail/$
        Assert.Contains("BLOCKSIZE=K\n", env);       // setenv
        Assert.DoesNotContain("LC_ALL", env);        // the caller's environment is gone
        Assert.Equal("/root\n", Ok("/usr/sbin/jexec", "-l", "web", "pwd"));
    }

    [Fact]
    public void JexecU_ReadsTheJailsLoginConf_OtherwiseTheHosts()
    {
        WebJail();
        Write("/jails/web/etc/login.conf", "default:\\\n\t:path=/bin /jailbin ~/bin:\n");
        Assert.Contains("PATH=/bin:/jailbin:/root/bin\n", Ok("/usr/sbin/jexec", "-l", "-U", "root", "web", "/usr/bin/env"));
        Assert.Contains(RootPath, Ok("/usr/sbin/jexec", "-l", "web", "env")); // the caller's entry and class, looked up on the host
        var u = Ok("/usr/sbin/jexec", "-u", "root", "web", "env");          // -u without -l: class applied, environment kept
        Assert.Contains(RootPath, u);
        Assert.Contains("LC_ALL=C\n", u);
        Assert.Equal("/\n", Ok("/usr/sbin/jexec", "-u", "root", "web", "pwd"));
    }

    [Fact]
    public void ExecClean_AppliesToHostSideHooksAndInJailCommands()
    {
        Root("/jails/c");
        Write("/jails/c/etc/login.conf", "default:\\\n\t:path=/bin /usr/bin /jailonly:\n");
        var r = Jail("-c", "name=c", "path=/jails/c", "persist", "exec.clean",
            "exec.prestart=/usr/bin/env", "exec.start=/usr/bin/env", "exec.poststart=/bin/pwd");
        Assert.Equal(0, r.ExitCode);
        // exec.prestart on the host: the host's login class, home, clean environment
        Assert.Contains(RootPath, r.StandardOutput);
        Assert.Contains("PATH=/bin:/usr/bin:/jailonly\n", r.StandardOutput); // exec.start in the jail: the jail's login.conf
        Assert.DoesNotContain("LC_ALL", r.StandardOutput);
        Assert.Contains("HOME=/root\n", r.StandardOutput);
        Assert.EndsWith("/root\n", r.StandardOutput); // exec.poststart runs in the host user's home
    }

    [Fact]
    public void ExecClean_FailsWhenTheHomeDirectoryIsMissing()
    {
        Root("/jails/n");
        Host.Fs.WriteAllText("/jails/n/etc/passwd", "root:*:0:0:Charlie &:/nohome:/bin/sh\n");
        var r = Jail("-c", "name=n", "path=/jails/n", "persist", "exec.clean", "exec.start=/bin/pwd");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("jail: chdir /nohome: No such file or directory\n", r.StandardError); // jail_warnx: a command-line jail has no name
    }
}

using JailsModule.Host;
using JailsModule.Plans;
using Xunit;

namespace JailsModule.Tests.Plans;

/// <summary>The journal lists each step's undo (issue 10, item 5), so a dead plan can be undone from it.</summary>
public sealed class JournalUndoTests
{
    private static ProcessRequest Zfs(params string[] args) => new("/sbin/zfs", args);

    [Fact]
    public void JournalListsEachStepsUndoActionsArgvAndFileFacts()
    {
        var h = new FakeHost();
        LockRecord? seen = null;
        var plan = new Plan("Create jail 'web1'").Lock("jail", "web1");
        plan.Add(new CommandStep("Clone", Zfs("clone", "zroot/t@base", "zroot/c/web1"), Zfs("destroy", "zroot/c/web1")));
        plan.Add(new WriteFileStep("/etc/jail.conf.d/web1.conf", "web1 {\n}\n"));
        plan.Add(new ActionStep("Look at the journal", new[] { "read the lock table" }, _ => seen = HostLock.Held(h).Single()) { Check = "read-only" });
        plan.Add(new CommandStep("Destroy", Zfs("destroy", "zroot/c/old")) { Irreversible = true });
        new PlanExecutor(h, default).Execute(plan);

        Assert.NotNull(seen);
        var s = seen!.Steps!;
        Assert.Equal(new[] { "/sbin/zfs destroy zroot/c/web1" }, s[0].UndoActions);
        Assert.Equal(new[] { "/sbin/zfs", "clone", "zroot/t@base", "zroot/c/web1" }, s[0].Command);
        Assert.Equal(new[] { "/sbin/zfs", "destroy", "zroot/c/web1" }, Assert.Single(s[0].UndoCommands!));
        Assert.Equal("command", s[0].Kind);
        Assert.Equal("write-file", s[1].Kind);
        Assert.Equal("/etc/jail.conf.d/web1.conf", s[1].Path);
        Assert.Equal("web1 {\n}\n", s[1].Content);
        Assert.False(s[1].FileExisted);
        Assert.Single(s[1].UndoActions);
        Assert.Equal("check", s[2].Kind);
        Assert.False(s[3].CanUndo);
        Assert.Empty(s[3].UndoActions);
    }

    [Fact]
    public void DeletedFileComesBackWithItsModeOnRollback()
    {
        var h = new FakeHost();
        h.WriteAllBytes("/etc/jail.conf.d/a.conf", "a {\n}\n"u8.ToArray());
        h.Modes["/etc/jail.conf.d/a.conf"] = 0x180; // 0600
        var plan = new Plan("Remove a");
        plan.Add(new DeleteFileStep("/etc/jail.conf.d/a.conf"));
        plan.Add(new ActionStep("Fail", new[] { "fail" }, _ => throw new IOException("simulated")));
        Assert.Throws<PlanFailedException>(() => new PlanExecutor(h, default).Execute(plan));
        Assert.Equal("a {\n}\n", h.ReadAllText("/etc/jail.conf.d/a.conf"));
        Assert.Equal(0x180, h.GetFileInfo("/etc/jail.conf.d/a.conf")!.Mode);
    }
}

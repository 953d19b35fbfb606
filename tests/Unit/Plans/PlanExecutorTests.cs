using System.Text.Json;
using JailsModule.Host;
using JailsModule.Plans;
using JailsModule.Services;
using Xunit;

namespace JailsModule.Tests.Plans;

public sealed class PlanExecutorTests
{
    private static ProcessRequest Zfs(params string[] args) => new("/sbin/zfs", args);

    private static Plan ThreeSteps()
    {
        var plan = new Plan("Create jail 'web1'").Lock("jail", "web1");
        plan.Add(new CommandStep("Clone", Zfs("clone", "zroot/t@base", "zroot/c/web1"), Zfs("destroy", "zroot/c/web1")));
        plan.Add(new CommandStep("Tag", Zfs("set", "org.jailsmodule:managed=yes", "zroot/c/web1"), Zfs("inherit", "org.jailsmodule:managed", "zroot/c/web1")));
        plan.Add(new WriteFileStep("/etc/jail.conf.d/web1.conf", "web1 {\n}\n"));
        return plan;
    }

    /// <summary>No plan listed in the lock table, no journal file, and only the table and owner files in the lock folder.</summary>
    private static bool NoLocksOrJournals(FakeHost h)
        => HostLock.Held(h).Count == 0
           && !h.Files.Keys.Any(k => k.StartsWith(PlanExecutor.JournalDirectory + "/"))
           && h.Files.Keys.Where(k => k.StartsWith(HostLock.Directory + "/")).All(k => k == HostLock.TableFile || k[(HostLock.Directory.Length + 1)..].StartsWith("owner-"));

    [Fact]
    public void RunsStepsInOrderAndLeavesNoLockOrJournal()
    {
        var h = new FakeHost();
        var progress = new List<PlanProgress>();
        new PlanExecutor(h, default) { OnProgress = progress.Add }.Execute(ThreeSteps());
        Assert.Equal(new[] { "/sbin/zfs clone zroot/t@base zroot/c/web1", "/sbin/zfs set org.jailsmodule:managed=yes zroot/c/web1" }, h.Commands);
        Assert.Equal("web1 {\n}\n", h.ReadAllText("/etc/jail.conf.d/web1.conf"));
        Assert.Equal(new[] { 0, 1, 2, 3 }, progress.Select(p => p.StepIndex));
        Assert.True(NoLocksOrJournals(h));
    }

    [Fact]
    public void AStopRunsTheUndoToTheEndEvenWhenTheEchoThrows()
    {
        // Ctrl+C: the token is cancelled while step 3 runs, and the pipeline throws on every write
        // from then on. The undo must not depend on it: both completed steps are undone.
        var h = new FakeHost();
        using var cts = new CancellationTokenSource();
        var plan = ThreeSteps();
        plan.Add(new ActionStep("Slow", new[] { "slow" }, _ => { cts.Cancel(); cts.Token.ThrowIfCancellationRequested(); }));
        bool stopping = false;
        var executor = new PlanExecutor(h, cts.Token)
        {
            OnCommand = r => { if (stopping) throw new InvalidOperationException("The pipeline has been stopped."); },
            OnProgress = p => { if (p.Description == "Slow") stopping = true; },
        };
        var ex = Assert.Throws<PlanStoppedException>(() => executor.Execute(plan));
        Assert.IsAssignableFrom<OperationCanceledException>(ex);
        Assert.Equal(new[] { "Write /etc/jail.conf.d/web1.conf", "Tag", "Clone" }, ex.Undone.Select(s => s.Description));
        Assert.Empty(ex.UndoErrors);
        Assert.Equal(new[] { "/sbin/zfs inherit org.jailsmodule:managed zroot/c/web1", "/sbin/zfs destroy zroot/c/web1" }, ex.UndoCommands);
        Assert.Equal("/sbin/zfs destroy zroot/c/web1", h.Commands.Last());
        Assert.False(h.FileExists("/etc/jail.conf.d/web1.conf"));
        Assert.Contains("stopped at step 4 (Slow)", ex.Message);
        Assert.Contains("Undid 3 completed step(s)", ex.Message);
        Assert.True(NoLocksOrJournals(h));
    }

    [Fact]
    public void WhatIfTextListsEveryCommandInOrder()
    {
        var text = ThreeSteps().WhatIfText;
        Assert.Equal("Create jail 'web1'\n1. /sbin/zfs clone zroot/t@base zroot/c/web1\n2. /sbin/zfs set org.jailsmodule:managed=yes zroot/c/web1\n3. write file /etc/jail.conf.d/web1.conf (2 lines)", text);
    }

    [Fact]
    public void FailureUndoesCompletedStepsInReverseAndReportsTheOriginalStderr()
    {
        var h = new FakeHost();
        h.Files["/etc/jail.conf.d/web1.conf"] = "old\n"u8.ToArray();
        var plan = ThreeSteps();
        plan.Add(new CommandStep("Start", new ProcessRequest("/usr/sbin/jail", new[] { "-c", "web1" })));
        h.Handler = r => r.FileName == "/usr/sbin/jail" ? new ProcessResult(1, "", "jail: web1: mount.devfs: /x/dev: No such file or directory\n") : new ProcessResult(0, "", "");
        var ex = Assert.Throws<PlanFailedException>(() => new PlanExecutor(h, default).Execute(plan));
        Assert.Equal(3, ex.StepIndex);
        var native = Assert.IsType<NativeCommandException>(ex.Original);
        Assert.Contains("mount.devfs: /x/dev: No such file or directory", native.Result.StandardError);
        Assert.Contains("No such file or directory", ex.Message);
        Assert.True(ex.RolledBack);
        Assert.Equal(new[]
        {
            "/sbin/zfs clone zroot/t@base zroot/c/web1",
            "/sbin/zfs set org.jailsmodule:managed=yes zroot/c/web1",
            "/usr/sbin/jail -c web1",
            "/sbin/zfs inherit org.jailsmodule:managed zroot/c/web1",
            "/sbin/zfs destroy zroot/c/web1",
        }, h.Commands);
        Assert.Equal("old\n", h.ReadAllText("/etc/jail.conf.d/web1.conf"));
        Assert.True(NoLocksOrJournals(h));
    }

    [Fact]
    public void AFileWrittenWhereNoneWasIsDeletedByTheUndo()
    {
        var h = new FakeHost();
        var plan = ThreeSteps().Add(new CommandStep("Fail", Zfs("snapshot", "bad")));
        h.Handler = r => r.Arguments[0] == "snapshot" ? new ProcessResult(1, "", "boom\n") : new ProcessResult(0, "", "");
        Assert.Throws<PlanFailedException>(() => new PlanExecutor(h, default).Execute(plan));
        Assert.False(h.FileExists("/etc/jail.conf.d/web1.conf"));
    }

    [Fact]
    public void UndoFailuresAreReportedAndTheJournalIsKept()
    {
        var h = new FakeHost();
        var plan = ThreeSteps().Add(new CommandStep("Fail", Zfs("snapshot", "x@y")));
        h.Handler = r => r.Arguments[0] is "snapshot" or "destroy" ? new ProcessResult(1, "", $"cannot {r.Arguments[0]}: dataset is busy\n") : new ProcessResult(0, "", "");
        var ex = Assert.Throws<PlanFailedException>(() => new PlanExecutor(h, default).Execute(plan));
        Assert.False(ex.RolledBack);
        var undo = Assert.Single(ex.UndoErrors);
        Assert.Equal("Clone", undo.Step.Description);
        Assert.Contains("cannot snapshot: dataset is busy", ex.Original.Message);
        Assert.NotNull(ex.JournalPath);
        var journal = JsonDocument.Parse(h.ReadAllText(ex.JournalPath!));
        var states = journal.RootElement.GetProperty("Steps").EnumerateArray().Select(s => s.GetProperty("State").GetString()).ToArray();
        Assert.Equal(new[] { "UndoFailed", "Undone", "Undone", "Failed" }, states);
        Assert.Empty(HostLock.Held(h));
    }

    [Fact]
    public void AStepThatCannotBeUndoneMustComeLast()
    {
        var plan = new Plan("bad")
            .Add(new CommandStep("Destroy", Zfs("destroy", "a")) { Irreversible = true })
            .Add(new DeleteFileStep("/etc/x"));
        Assert.Throws<InvalidOperationException>(() => new PlanExecutor(new FakeHost(), default).Execute(plan));
    }

    [Fact]
    public void ABusyResourceTimesOutWithResourceLockedAndNothingRuns()
    {
        var h = new FakeHost();
        using (HostLock.Acquire(h, new[] { "jail:web1" }, "other", "other plan", TimeSpan.Zero, default))
        {
            var ex = Assert.Throws<PlanPreconditionException>(() =>
                new PlanExecutor(h, default) { LockTimeout = TimeSpan.FromMilliseconds(50) }.Execute(ThreeSteps()));
            Assert.Equal("ResourceLocked", ex.ErrorId);
            Assert.Contains("other plan", ex.Message);
        }
        Assert.Empty(h.Commands);
        Assert.True(NoLocksOrJournals(h));
    }

    private static LockRecord Line(string owner, params string[] resources) => new()
    {
        Id = "20261125T010203-deadbeef",
        Description = "Create thin jail 'web1'",
        Owner = owner,
        Machine = "m",
        Pid = 4242,
        Acquired = DateTime.UtcNow,
        Resources = resources.ToList(),
    };

    private static void WriteTable(FakeHost h, params LockRecord[] lines)
    {
        h.CreateDirectory(HostLock.Directory);
        h.Files[HostLock.TableFile] = System.Text.Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => JsonSerializer.Serialize(l) + "\n")));
    }

    [Fact]
    public void TheLineOfADeadProcessIsDroppedSilentlyWhenItsPlanHadNotStarted()
    {
        var h = new FakeHost();
        WriteTable(h, Line("owner-4242-0123456789ab.lock", "jail:web1"));
        var warnings = new List<string>();
        new PlanExecutor(h, default) { LockTimeout = TimeSpan.FromMilliseconds(200), OnWarning = warnings.Add }.Execute(ThreeSteps());
        Assert.Equal(2, h.Commands.Count);
        Assert.Empty(warnings);
        Assert.True(NoLocksOrJournals(h));
    }

    [Fact]
    public void TheLineOfAPlanThatDiedHalfWayIsDroppedWithItsJournalSavedAndAWarning()
    {
        var h = new FakeHost();
        var dead = Line("owner-4242-0123456789ab.lock", "jail:web1", "dataset:zroot/c/web1");
        dead.Started = DateTime.UtcNow;
        dead.Steps = new() { new JournalStep { Index = 1, Description = "Clone", Actions = new() { "/sbin/zfs clone zroot/t@base zroot/c/web1" } } };
        WriteTable(h, dead);
        var warnings = new List<string>();
        new PlanExecutor(h, default) { LockTimeout = TimeSpan.FromMilliseconds(200), OnWarning = warnings.Add }.Execute(ThreeSteps());
        Assert.Equal(2, h.Commands.Count);
        var w = Assert.Single(warnings);
        var saved = PlanExecutor.JournalDirectory + "/20261125T010203-deadbeef.json";
        Assert.Contains(saved, w);
        Assert.Contains("Create thin jail 'web1'", w);
        var journal = JsonDocument.Parse(h.ReadAllText(saved)).RootElement;
        Assert.Equal("/sbin/zfs clone zroot/t@base zroot/c/web1", journal.GetProperty("Steps")[0].GetProperty("Actions")[0].GetString());
        Assert.Empty(HostLock.Held(h));
    }

    [Fact]
    public void ALineWhoseOwnerFileIsLockedBelongsToALiveProcessAndIsNeverDropped()
    {
        var h = new FakeHost();
        WriteTable(h, Line("owner-4242-0123456789ab.lock", "jail:web1"));
        using var alive = h.TryLockFile(HostLock.Directory + "/owner-4242-0123456789ab.lock"); // that process still runs
        var ex = Assert.Throws<PlanPreconditionException>(() =>
            new PlanExecutor(h, default) { LockTimeout = TimeSpan.FromMilliseconds(50) }.Execute(ThreeSteps()));
        Assert.Equal("ResourceLocked", ex.ErrorId);
        Assert.Contains("pid 4242", ex.Message);
        Assert.Empty(h.Commands);
        Assert.Single(HostLock.Held(h));
    }

    [Fact]
    public void ATornTableLineIsIgnored()
    {
        var ok = Line("owner-1-0123456789ab.lock", "jail:a");
        var text = JsonSerializer.Serialize(ok) + "\n{\"Id\":\"x\",\"Resou";
        var parsed = HostLock.Parse(text);
        Assert.Equal(new[] { "jail:a" }, Assert.Single(parsed).Resources);
    }

    [Fact]
    public void ThePlanIsBuiltUnderTheLockAndTheLockWidensForNewResources()
    {
        var h = new FakeHost();
        var seen = new List<bool>();
        int builds = 0;
        new PlanExecutor(h, default).Execute(new[] { "jail:web1" }, () =>
        {
            builds++;
            var held = HostLock.Held(h).SelectMany(r => r.Resources).ToList();
            seen.Add(held.Contains("jail:web1"));
            seen.Add(held.Contains("dataset:zroot/c"));
            return ThreeSteps().Lock("dataset", "zroot/c");
        });
        Assert.Equal(2, builds);
        Assert.Equal(new[] { true, false, true, true }, seen);
        Assert.True(NoLocksOrJournals(h));
    }

    [Fact]
    public void APreconditionFailureInTheBuilderRunsNothingAndReleasesTheLock()
    {
        var h = new FakeHost();
        var ex = Assert.Throws<PlanPreconditionException>(() => new PlanExecutor(h, default).Execute(new[] { "jail:web1" },
            () => throw new PlanPreconditionException("JailNameTaken", "taken", "web1", PlanErrorKind.ResourceExists)));
        Assert.Equal("JailNameTaken", ex.ErrorId);
        Assert.Empty(h.Commands);
        Assert.True(NoLocksOrJournals(h));
    }

    [Fact]
    public void ConcurrentPlansOnOneResourceRunOneAtATime()
    {
        var h = new FakeHost();
        int inside = 0, maxInside = 0;
        var gate = new object();
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            new PlanExecutor(h, default).Execute(new[] { "jail:web1" }, () => new Plan("p").Lock("jail", "web1").Add(new ActionStep("work", new[] { "work" }, _ =>
            {
                lock (gate) { inside++; maxInside = Math.Max(maxInside, inside); }
                Thread.Sleep(2);
                lock (gate) inside--;
            })));
        });
        Assert.Equal(1, maxInside);
        Assert.True(NoLocksOrJournals(h));
    }
}

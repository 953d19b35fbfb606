using JailsModule.Host;
using JailsModule.Plans;
using JailsModule.Provisioning.Storage;
using JailsModule.Provisioning.Userland;
using JailsModule.Services;
using JailsModule.Tests.Plans;
using Xunit;

namespace JailsModule.Tests.Provisioning;

/// <summary>The storage is chosen once from one zfs list, which the first plan then uses; the userland source's steps.</summary>
public sealed class ProvisioningStrategyTests
{
    private const string ZfsList = "/sbin/zfs list -H -p -t filesystem,snapshot -o name,type,origin,mountpoint,createtxg,org.jailsmodule:managed,org.jailsmodule:uuid,org.jailsmodule:template,org.jailsmodule:kind,org.jailsmodule:release,org.jailsmodule:sets,org.jailsmodule:jail";

    private const string Pool =
        "zroot\tfilesystem\t-\t/zroot\t1\t-\t-\t-\t-\t-\t-\n" +
        "zroot/jails/templates\tfilesystem\t-\t/usr/local/jails/templates\t11\t-\t-\t-\t-\t-\t-\n" +
        "zroot/jails/templates/14.3-RELEASE\tfilesystem\t-\t/usr/local/jails/templates/14.3-RELEASE\t12\tyes\tu1\t-\ttemplate\t14.3-RELEASE\tbase\n" +
        "zroot/jails/templates/14.3-RELEASE@base\tsnapshot\t-\t-\t13\tyes\tu1\t-\ttemplate\t14.3-RELEASE\tbase\n";

    private static ProvisioningService Service(FakeHost h) => new(h, new JailModuleSettings(), CancellationToken.None, null);

    [Fact]
    public void APoolMeansZfsAndTheListingThatChoseItServesTheFirstPlan()
    {
        var h = new FakeHost { Handler = r => new ProcessResult(0, r.DisplayText == ZfsList ? Pool : "", "") };
        var svc = Service(h);
        var t = Assert.Single(svc.GetTemplates(patchLevel: false));
        Assert.IsType<ZfsStorage>(svc.Storage);
        Assert.Equal(("14.3-RELEASE", "zroot/jails/templates/14.3-RELEASE@base", "zfs"), (t.Name, t.Snapshot, t.Storage));
        Assert.Equal(new[] { ZfsList }, h.Commands); // one zfs list chose the storage and listed the templates
        svc.GetTemplates(patchLevel: false);
        Assert.Equal(new[] { ZfsList, ZfsList }, h.Commands); // every later read sees the pool as it is now
    }

    [Fact]
    public void NoDatasetOrNoZfsMeansNullfsFoldersChosenOnce()
    {
        var empty = new FakeHost();
        var svc = Service(empty);
        Assert.IsType<NullfsUfsStorage>(svc.Storage);
        Assert.Empty(svc.GetTemplates());
        Assert.Empty(svc.GetTemplates());
        Assert.Equal(new[] { ZfsList }, empty.Commands);

        var noTool = new FakeHost { Handler = r => throw new ToolNotFoundException(r.FileName) };
        Assert.IsType<NullfsUfsStorage>(Service(noTool).Storage);
    }

    [Fact]
    public void TemplateNotFoundSaysWhereTheStorageKeepsTemplates()
    {
        var zfs = Service(new FakeHost { Handler = r => new ProcessResult(0, Pool, "") });
        var ufs = Service(new FakeHost());
        Assert.Contains("under zroot/jails/templates", Assert.Throws<PlanPreconditionException>(() => zfs.FindTemplate("nope")).Message);
        var e = Assert.Throws<PlanPreconditionException>(() => ufs.PlanRemoveTemplate("nope"));
        Assert.Equal("TemplateNotFound", e.ErrorId);
        Assert.Contains("in /usr/local/jails/templates", e.Message);
    }

    [Fact]
    public void ReleaseSetsNameTheMissingFileAndPatchTreesAndRunningJails()
    {
        var h = new FakeHost();
        var sets = new FreebsdReleaseSets(h, new JailModuleSettings());
        h.Files["/usr/local/jails/media/14.3-RELEASE-base.txz"] = new byte[1];
        Assert.Equal(new[] { "/usr/local/jails/media/14.3-RELEASE-base.txz" }, sets.RequireSaved("14.3-RELEASE", new[] { "base" }));
        var e = Assert.Throws<PlanPreconditionException>(() => sets.RequireSaved("14.3-RELEASE", new[] { "base", "lib32" }, nameSets: true));
        Assert.Equal("ReleaseNotSaved", e.ErrorId);
        Assert.Contains("/usr/local/jails/media/14.3-RELEASE-lib32.txz does not exist. Run 'Save-JailRelease -Release 14.3-RELEASE -DistributionSet base,lib32' first.", e.Message);

        var plan = new Plan("p");
        h.Files["/etc/resolv.conf"] = new byte[1];
        sets.AddExtractSteps(plan, new[] { "/m/14.3-RELEASE-base.txz" }, "/j/t");
        Assert.Equal(new[] { "/usr/bin/tar -xf /m/14.3-RELEASE-base.txz -C /j/t --unlink" }, plan.Steps[0].Actions);
        Assert.Equal(2, plan.Steps.Count); // and resolv.conf; no localtime on this host

        Assert.Equal(new[] { "/usr/sbin/freebsd-update -j web --not-running-from-cron fetch install" }, sets.PatchJailStep("web", "/j/web", running: true, null).Actions);
        Assert.Equal(new[] { "/usr/sbin/freebsd-update -b /j/web --currently-running 14.2-RELEASE --not-running-from-cron fetch install" },
            sets.PatchJailStep("web", "/j/web", running: false, "14.2-RELEASE").Actions);
        Assert.Equal("FreebsdVersionUnreadable", Assert.Throws<PlanPreconditionException>(() => sets.PatchJailStep("web", "/j/web", running: false, null)).ErrorId);

        h.Files["/j/web/bin/freebsd-version"] = System.Text.Encoding.UTF8.GetBytes("#!/bin/sh\nUSERLAND_VERSION=\"14.2-RELEASE-p4\"\n");
        Assert.Equal("14.2-RELEASE-p4", sets.ReadVersion("/j/web"));
        Assert.Null(sets.ReadVersion("/j/other"));
        Assert.Null(sets.ReadVersion("relative"));
    }
}

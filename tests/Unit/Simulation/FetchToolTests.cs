using System.Security.Cryptography;
using JailsModule.Simulation;
using Xunit;

namespace JailsModule.Tests.Simulation;

public sealed class FetchToolTests : SimToolTestBase
{
    private const string Base = "https://download.freebsd.org/releases/amd64/amd64/14.3-RELEASE";

    [Fact]
    public void FetchWritesTheFileAndPrintsTheSummaryLine()
    {
        var r = Run("/usr/bin/fetch", "-o", "/tmp/MANIFEST", Base + "/MANIFEST");
        Assert.Equal(0, r.ExitCode);
        Assert.True(File.Exists(Real("/tmp/MANIFEST")));
        var size = new FileInfo(Real("/tmp/MANIFEST")).Length;
        Assert.Equal($"{"/tmp/MANIFEST",-46}        {size,4}  B   10 MBps\n", r.StandardError);
        Assert.Equal("", Run("/usr/bin/fetch", "-q", "-o", "/tmp/base.txz", Base + "/base.txz").StandardError);
        // -o DIR keeps the URL's file name
        var toDir = Run("/usr/bin/fetch", "-o", "/tmp", Base + "/kernel.txz");
        Assert.StartsWith("/tmp/kernel.txz ", toDir.StandardError);
        Assert.True(File.Exists(Real("/tmp/kernel.txz")));
    }

    [Fact]
    public void FetchOfAnUnknownUrlIsNotFoundExit1()
    {
        var r = Run("/usr/bin/fetch", "-o", "/tmp/x", Base + "/nope.txz");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"fetch: {Base}/nope.txz: Not Found\n", r.StandardError);
        var host = Run("/usr/bin/fetch", "-o", "/tmp/x", "https://nowhere.invalid/base.txz");
        Assert.Equal("fetch: https://nowhere.invalid/base.txz: No address record\n", host.StandardError);
        var dir = Run("/usr/bin/fetch", "-o", "/no/such/dir/base.txz", Base + "/base.txz");
        Assert.Equal("fetch: /no/such/dir/base.txz: open(): No such file or directory\n", dir.StandardError);
    }

    [Fact]
    public void ManifestHashesAndCountsMatchTheServedSets()
    {
        Ok("/usr/bin/fetch", "-q", "-o", "/tmp/MANIFEST", Base + "/MANIFEST");
        var lines = File.ReadAllLines(Real("/tmp/MANIFEST"));
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("base.txz\t", lines[0]);
        Assert.EndsWith("\tbase\t\"Base system (MANDATORY)\"\ton", lines[0]);
        foreach (var line in lines)
        {
            var f = line.Split('\t');
            Assert.Equal(6, f.Length);
            Ok("/usr/bin/fetch", "-q", "-o", "/tmp/" + f[0], Base + "/" + f[0]);
            Assert.Equal(f[1] + "\n", Ok("/sbin/sha256", "-q", "/tmp/" + f[0]));
            Assert.Equal(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Real("/tmp/" + f[0])))).ToLowerInvariant(), f[1]);
            var listed = Ok("/usr/bin/tar", "-tvf", "/tmp/" + f[0]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(int.Parse(f[2]), listed.Length);
        }
    }

    [Fact]
    public void CustomMirrorPrefixServesTheSameLayout()
    {
        Host.UpdateState(s => s.Mirror.Prefixes.Add("https://mirror.example.org/pub/FreeBSD/releases"));
        Ok("/usr/bin/fetch", "-q", "-o", "/tmp/base.txz", "https://mirror.example.org/pub/FreeBSD/releases/amd64/amd64/15.0-RELEASE/base.txz");
        Assert.Equal(SimReleaseMirror.Archive("15.0-RELEASE", "base").Bytes, File.ReadAllBytes(Real("/tmp/base.txz")));
    }

    [Fact]
    public void CorruptMirrorServesBytesThatDoNotMatchTheManifest()
    {
        Host.UpdateState(s => s.Mirror.Corrupt.Add("14.3-RELEASE/base.txz"));
        Ok("/usr/bin/fetch", "-q", "-o", "/tmp/base.txz", Base + "/base.txz");
        var expected = SimReleaseMirror.Manifest("14.3-RELEASE").Split('\n')[0].Split('\t')[1];
        Assert.NotEqual(expected + "\n", Ok("/sbin/sha256", "-q", "/tmp/base.txz"));
        var x = Run("/usr/bin/tar", "-xf", "/tmp/base.txz", "-C", "/tmp");
        Assert.Equal(1, x.ExitCode);
        Assert.StartsWith("tar: Truncated input file", x.StandardError);
    }

    [Fact]
    public void FetchSPrintsTheRemoteSize()
    {
        var size = SimReleaseMirror.Archive("14.2-RELEASE", "kernel").Bytes.Length;
        Assert.Equal($"{size}\n", Ok("/usr/bin/fetch", "-s", "https://download.freebsd.org/releases/amd64/amd64/14.2-RELEASE/kernel.txz"));
    }

    [Fact]
    public void Sha256FormatsAndMissingFile()
    {
        File.WriteAllText(Real("/tmp/a"), "abc");
        Assert.Equal("SHA256 (/tmp/a) = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n", Ok("/sbin/sha256", "/tmp/a"));
        var r = Run("/sbin/sha256", "-q", "/tmp/missing");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("sha256: /tmp/missing: No such file or directory\n", r.StandardError);
    }
}

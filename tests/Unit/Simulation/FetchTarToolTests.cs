using System.Security.Cryptography;
using JailsModule.Simulation;
using Xunit;

namespace JailsModule.Tests.Simulation;

public sealed class FetchTarToolTests : SimToolTestBase
{
    private const string Base = "https://download.freebsd.org/releases/amd64/amd64/14.3-RELEASE";

    [Fact]
    public void FetchWritesTheFileAndPrintsTheSummaryLine()
    {
        var r = Run("/usr/bin/fetch", "-o", "/tmp/MANIFEST", Base + "/MANIFEST");
        Assert.Equal(0, r.ExitCode);
        Assert.True(File.Exists(Real("/tmp/MANIFEST")));
        Assert.Matches(@"^/tmp/MANIFEST\s+ +\d+  B   10 MBps    00s\n$", r.StandardError);
        Assert.Equal("", Run("/usr/bin/fetch", "-q", "-o", "/tmp/base.txz", Base + "/base.txz").StandardError);
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
    public void Sha256FormatsAndMissingFile()
    {
        File.WriteAllText(Real("/tmp/a"), "abc");
        Assert.Equal("SHA256 (/tmp/a) = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n", Ok("/sbin/sha256", "/tmp/a"));
        var r = Run("/sbin/sha256", "-q", "/tmp/missing");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("sha256: /tmp/missing: No such file or directory\n", r.StandardError);
    }

    [Fact]
    public void TarExtractsARealTreeWithTheRecordedRelease()
    {
        Ok("/usr/bin/fetch", "-q", "-o", "/tmp/base.txz", Base + "/base.txz");
        Directory.CreateDirectory(Real("/jails/web"));
        var r = Run("/usr/bin/tar", "-xvf", "/tmp/base.txz", "-C", "/jails/web", "--exclude", "./etc/master.passwd");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("x ./bin/sh\n", r.StandardError);
        Assert.True(File.Exists(Real("/jails/web/bin/sh")));
        Assert.True(File.Exists(Real("/jails/web/usr/sbin/jail")));
        Assert.True(File.Exists(Real("/jails/web/etc/defaults/rc.conf")));
        Assert.False(File.Exists(Real("/jails/web/etc/master.passwd")));
        Assert.Equal("14.3-RELEASE", SimUserlandVersion.Read(Host.Fs, "/jails/web"));
    }

    [Fact]
    public void TarErrorsAreBsdtars()
    {
        var missing = Run("/usr/bin/tar", "-xf", "/tmp/none.txz", "-C", "/tmp");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("tar: Error opening archive: Failed to open '/tmp/none.txz'\n", missing.StandardError);
        Ok("/usr/bin/fetch", "-q", "-o", "/tmp/base.txz", Base + "/base.txz");
        var chdir = Run("/usr/bin/tar", "-xf", "/tmp/base.txz", "-C", "/nope");
        Assert.Equal("tar: could not chdir to '/nope'\n", chdir.StandardError);
        Assert.Equal(1, chdir.ExitCode);
    }

    [Fact]
    public void XzRoundTripsAndKeepsTheContainerChecks()
    {
        var data = new byte[200_000];
        new Random(7).NextBytes(data);
        var xz = SimXz.Compress(data);
        Assert.Equal(new byte[] { 0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00 }, xz[..6]);
        Assert.Equal("YZ"u8.ToArray(), xz[^2..]);
        Assert.Equal(data, SimXz.Decompress(xz));
        xz[100] ^= 0xFF;
        Assert.Throws<InvalidDataException>(() => SimXz.Decompress(xz));
    }
}

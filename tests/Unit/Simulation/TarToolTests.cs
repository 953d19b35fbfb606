using JailsModule.Simulation;
using Xunit;

namespace JailsModule.Tests.Simulation;

public sealed class TarToolTests : SimToolTestBase
{
    private const string Base = "https://download.freebsd.org/releases/amd64/amd64/14.3-RELEASE";

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
        Assert.Equal("tar: could not chdir to '/nope'\n\n", chdir.StandardError);
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

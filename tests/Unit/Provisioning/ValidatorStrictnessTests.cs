using JailsModule.Model;
using Xunit;

namespace JailsModule.Tests.Provisioning;

/// <summary>
/// Issue 10 item 8: .NET's '$' also matches before a final "\n", so a pattern anchored with '$' accepted
/// "value\n". Every validator must refuse a trailing "\n", "\r\n" and an embedded NUL.
/// </summary>
public sealed class ValidatorStrictnessTests
{
    public static readonly TheoryData<string, string> Valid = new()
    {
        { "jail", "web1" },
        { "jail", "parent.child" },
        { "release", "14.3-RELEASE" },
        { "release", "15.0-RC1-p2" },
        { "template", "14.3-RELEASE" },
        { "arch", "amd64" },
        { "set", "base" },
        { "dataset", "zroot/jails/containers" },
        { "snapshot", "base" },
        { "interface", "em0" },
        { "ipv4", "192.0.2.10" },
        { "ipv6", "2001:db8::1" },
        { "path", "/usr/local/jails" },
        { "mirror", "https://download.freebsd.org/" },
    };

    private static string? Check(string kind, string value) => kind switch
    {
        "jail" => JailName.Check(value),
        "release" => ProvisionValidation.Release(value),
        "template" => ProvisionValidation.TemplateName(value),
        "arch" => ProvisionValidation.Arch(value),
        "set" => ProvisionValidation.DistributionSet(value),
        "dataset" => ProvisionValidation.Dataset(value),
        "snapshot" => ProvisionValidation.SnapshotName(value),
        "interface" => ProvisionValidation.Interface(value),
        "ipv4" => ProvisionValidation.IPv4(value, out _),
        "ipv6" => ProvisionValidation.IPv6(value, out _),
        "path" => ProvisionValidation.AbsolutePath(value),
        "mirror" => ProvisionValidation.Mirror(value),
        _ => throw new ArgumentException(kind),
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void ValidValue_Passes_ButNotWithATrailingNewlineOrAnEmbeddedNul(string kind, string value)
    {
        Assert.Null(Check(kind, value));
        Assert.NotNull(Check(kind, value + "\n"));
        Assert.NotNull(Check(kind, value + "\r\n"));
        Assert.NotNull(Check(kind, value[..1] + "\0" + value[1..]));
        Assert.NotNull(Check(kind, value + "\0"));
    }

    [Theory]
    [InlineData("١٤.3-RELEASE")] // Arabic-Indic digits are \d in .NET, not to FreeBSD
    [InlineData("14.٣-RELEASE")]
    public void Release_TakesAsciiDigitsOnly(string release) => Assert.NotNull(ProvisionValidation.Release(release));

    [Theory]
    [InlineData("192.0.2.010")] // inet_pton refuses a leading zero; IPAddress.TryParse reads octal (192.0.2.8)
    [InlineData("192.0.2.01")]
    [InlineData("0192.0.2.1")]
    [InlineData("192.0.2.256")]
    [InlineData("192.0.2")]
    [InlineData("192.0.2.1.5")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("3221225985")]
    [InlineData("192.0.2.1 ")]
    [InlineData(" 192.0.2.1")]
    [InlineData("192.0.2.1/033")]
    [InlineData("192.0.2.1/+3")]
    [InlineData("192.0.2.1/")]
    public void IPv4_FollowsInetPton(string value) => Assert.NotNull(ProvisionValidation.IPv4(value, out _));

    [Theory]
    [InlineData("192.0.2.10", "192.0.2.10")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("10.0.0.1/24", "10.0.0.1/24")]
    [InlineData("10.0.0.1/0", "10.0.0.1/0")]
    public void IPv4_Valid(string value, string normalized)
    {
        Assert.Null(ProvisionValidation.IPv4(value, out var n));
        Assert.Equal(normalized, n);
    }

    [Theory]
    [InlineData("fe80::1%em0")]        // zone ids: inet_pton has none
    [InlineData("[2001:db8::1]")]      // brackets are URL syntax
    [InlineData("2001:db8::1::2")]     // two "::"
    [InlineData("2001:db8:0:0:0:0:0:0:1")] // nine groups
    [InlineData("2001:db8::12345")]    // five hex digits
    [InlineData("::ffff:192.0.2.010")] // embedded IPv4 with a leading zero
    [InlineData("2001:db8::g")]
    [InlineData("1:2:3:4:5:6:7")]      // seven groups without "::"
    [InlineData(":1:2:3:4:5:6:7")]
    [InlineData("2001:db8::1/129")]
    public void IPv6_FollowsInetPton(string value) => Assert.NotNull(ProvisionValidation.IPv6(value, out _));

    [Theory]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("2001:DB8:0:0:0:0:0:1", "2001:db8::1")]
    [InlineData("::", "::")]
    [InlineData("::1/128", "::1/128")]
    [InlineData("::ffff:192.0.2.1", "::ffff:192.0.2.1")]
    [InlineData("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0")]
    [InlineData("1:2:3:4:5:6:192.0.2.1", "1:2:3:4:5:6:c000:201")]
    public void IPv6_Valid(string value, string normalized)
    {
        Assert.Null(ProvisionValidation.IPv6(value, out var n));
        Assert.Equal(normalized, n);
    }
}

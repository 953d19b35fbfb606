using System.Management.Automation;
using JailsModule.Tools;

namespace JailsModule.Commands;

/// <summary>The -User / -HostUser checks shared by Invoke-JailCommand and Enter-Jail, done before anything runs.</summary>
internal static class JexecUsers
{
    /// <summary>The error for a bad combination or a bad name, or null when both are fine.</summary>
    public static ErrorRecord? Check(string? user, string? hostUser)
    {
        if (user != null && hostUser != null)
            return new ErrorRecord(new ArgumentException("Use -User (a user of the jail) or -HostUser (a user of the host), not both."),
                "UserAndHostUser", ErrorCategory.InvalidArgument, null);
        foreach (var u in new[] { user, hostUser })
        {
            var why = u is null ? null : JexecTool.CheckUserName(u);
            if (why != null) return new ErrorRecord(new ArgumentException(why), "InvalidUserName", ErrorCategory.InvalidArgument, u);
        }
        return null;
    }
}

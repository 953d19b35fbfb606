using JailsModule.Host;

namespace JailsModule.Tools;

/// <summary>cp(1), mv(1), ln(1), mkdir(1), rm(1), rmdir(1), chflags(1): the file operations provisioning runs on the host.</summary>
public static class FileTools
{
    /// <summary>cp -a SRC DEST: a tree copied with modes, owners, flags and links (the Handbook's skeleton copy).</summary>
    public static ProcessRequest CopyTree(string source, string destination) => new(ToolPaths.Cp, new[] { "-a", source, destination });

    /// <summary>mv SRC DEST.</summary>
    public static ProcessRequest Move(string source, string destination) => new(ToolPaths.Mv, new[] { source, destination });

    /// <summary>ln -s TARGET LINK.</summary>
    public static ProcessRequest Symlink(string target, string link) => new(ToolPaths.Ln, new[] { "-s", target, link });

    /// <summary>mkdir DIR (fails when it exists or its parent is missing).</summary>
    public static ProcessRequest MakeDirectory(string directory) => new(ToolPaths.Mkdir, new[] { directory });

    /// <summary>mkdir -p DIR...: the folders and their missing parents.</summary>
    public static ProcessRequest MakeDirectories(params string[] directories) => new(ToolPaths.Mkdir, new[] { "-p" }.Concat(directories));

    /// <summary>rmdir DIR: only an empty folder (never through a mount).</summary>
    public static ProcessRequest RemoveDirectory(string directory) => new(ToolPaths.Rmdir, new[] { directory });

    /// <summary>rm -f FILE (a file or a symbolic link, never a folder).</summary>
    public static ProcessRequest RemoveFile(string file) => new(ToolPaths.Rm, new[] { "-f", file });

    /// <summary>rm -rf -x PATH...: -x never crosses into another file system (a nullfs base stays untouched).</summary>
    public static ProcessRequest RemoveTree(params string[] paths) => new(ToolPaths.Rm, new[] { "-rf", "-x" }.Concat(paths));

    /// <summary>
    /// chflags -R -x 0 PATH...: clears every file flag below the paths (-x: on their own file system only), as the
    /// Handbook's "Destroy a jail" does before rm -rf: a release tree has system-immutable entries (var/empty is
    /// schg in base.txz) that rm cannot remove, even as root.
    /// </summary>
    public static ProcessRequest ClearFlagsTree(params string[] paths) => new(ToolPaths.Chflags, new[] { "-R", "-x", "0" }.Concat(paths));
}

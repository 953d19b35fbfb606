namespace JailsModule.Model;

/// <summary>The connection a session uses: which machine, and how it is reached.</summary>
public sealed class JailHostInfo
{
    public string ComputerName { get; set; } = "";

    /// <summary>Local or Simulator.</summary>
    public string Kind { get; set; } = "";

    /// <summary>For a simulator, the folder holding its state; null for the local host.</summary>
    public string? Path { get; set; }

    /// <summary>For a simulator, whether each command runs as a jailsim process of its own (Connect-JailHost -OutOfProcess).</summary>
    public bool OutOfProcess { get; set; }

    public override string ToString() => $"{ComputerName} ({Kind})";
}

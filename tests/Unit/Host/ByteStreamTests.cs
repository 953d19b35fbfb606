using System.Security.Cryptography;
using JailsModule.Host;
using JailsModule.Simulation;
using Xunit;

namespace JailsModule.Tests.Host;

/// <summary>
/// stdin and stdout as byte streams across the host boundary (ProcessRequest.StandardInputStream /
/// StandardOutputStream), through cat on all three hosts: LocalHost (Linux /bin/cat), the in-process
/// simulated host and the out-of-process one (each command a jailsim process).
/// </summary>
[Collection(ByteStreamCollection.Name)]
public sealed class ByteStreamTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "jm-streams-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly SimulatedHost _inProcess;
    private readonly SimulatedHost _outOfProcess;

    public ByteStreamTests()
    {
        _inProcess = new SimulatedHost(_dir);
        _outOfProcess = new SimulatedHost(_dir, outOfProcess: true);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private IJailHost HostFor(string kind) => kind switch
    {
        "local" => new LocalHost(),
        "simulator" => _inProcess,
        "jailsim" => _outOfProcess,
        _ => throw new ArgumentException(kind),
    };

    public static TheoryData<string> Hosts => new() { "local", "simulator", "jailsim" };

    private static ProcessResult Run(IJailHost host, ProcessRequest request)
        => host.RunAsync(request, CancellationToken.None).GetAwaiter().GetResult();

    private static ProcessResult Cat(IJailHost host, Stream input, Stream output)
        => Run(host, new ProcessRequest("/bin/cat", Array.Empty<string>()) { StandardInputStream = input, StandardOutputStream = output });

    [Theory]
    [MemberData(nameof(Hosts))]
    public void NulAndInvalidUtf8RoundTripByteForByte(string kind)
    {
        // NUL, a lone continuation byte, an overlong form, a truncated sequence, 0xFE/0xFF, CR LF, a BOM.
        var payload = new byte[] { 0x00, 0x80, 0xC0, 0xAF, 0xE2, 0x82, (byte)'\n', 0xFE, 0xFF, 0x0D, 0x0A, 0xEF, 0xBB, 0xBF, 0x00, 0xC3 };
        var output = new MemoryStream();
        var r = Cat(HostFor(kind), new MemoryStream(payload), output);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.StandardOutput); // stdout went to the stream, not into a string
        Assert.Equal("", r.StandardError);
        Assert.Equal(payload, output.ToArray());
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public void TensOfMegabytesRoundTrip(string kind)
    {
        const long size = 24L * 1024 * 1024 + 12345;
        var sink = new HashingSink();
        var r = Cat(HostFor(kind), new GeneratedStream(size, seed: 7), sink);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(size, sink.Written);
        Assert.Equal(GeneratedStream.Sha256(size, seed: 7), sink.Hash());
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public void OutputArrivesBeforeInputEnds(string kind)
    {
        // The second block of input is only handed over once the first has come out the other end:
        // a host that read all of stdin before running cat, or buffered stdout until exit, would stall
        // here (the gate gives up after 60 s and the test fails).
        var sink = new HashingSink();
        var input = new GatedStream(firstBlock: 4096, secondBlock: 100_000, sink, TimeSpan.FromSeconds(60));
        var r = Cat(HostFor(kind), input, sink);
        Assert.Equal(0, r.ExitCode);
        Assert.True(input.GateOpenedByOutput, "the second block was released only because the first had already been written to stdout");
        Assert.Equal(4096 + 100_000, sink.Written);
    }

    [Fact]
    public void TheSimulatedHostDoesNotBufferTheStream()
    {
        // Everything the in-process simulated host does for a command runs on the calling thread, so
        // this thread's allocations are the host's: 64 MB through cat must cost a small constant
        // (state, log line, one copy buffer), not the payload.
        const long size = 64L * 1024 * 1024;
        Cat(_inProcess, new GeneratedStream(1 << 20, seed: 1), new HashingSink()); // warm up: JIT, state cache
        var sink = new HashingSink();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var r = Cat(_inProcess, new GeneratedStream(size, seed: 3), sink);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(size, sink.Written);
        Assert.True(allocated < 4L * 1024 * 1024, $"the simulated host allocated {allocated:N0} bytes for a {size:N0}-byte stream");
    }

    [Theory]
    [InlineData("local")]
    [InlineData("jailsim")]
    public void AProcessHostDoesNotBufferTheStream(string kind)
    {
        // Whole-process allocations (this collection runs alone): the pipes are copied block by block.
        const long size = 64L * 1024 * 1024;
        var host = HostFor(kind);
        Cat(host, new GeneratedStream(1 << 20, seed: 1), new HashingSink()); // warm up
        var sink = new HashingSink();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var r = Cat(host, new GeneratedStream(size, seed: 5), sink);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(size, sink.Written);
        Assert.True(allocated < size / 8, $"{kind} allocated {allocated:N0} bytes for a {size:N0}-byte stream");
    }

    [Fact]
    public void AStreamPassesThroughJexecIntoAJail()
    {
        SimSeed.InstallUserland(_inProcess.Fs, "/jails/web", null);
        Assert.Equal(0, Run(_inProcess, new ProcessRequest("/usr/sbin/jail", new[] { "-c", "name=web", "path=/jails/web", "persist" })).ExitCode);
        var payload = new byte[] { 0, 1, 2, 0xFF, 0xFE, (byte)'\n', 0x80 };
        foreach (var host in new[] { _inProcess, _outOfProcess })
        {
            var output = new MemoryStream();
            var r = Run(host, new ProcessRequest("/usr/sbin/jexec", new[] { "web", "/bin/cat" }) { StandardInputStream = new MemoryStream(payload), StandardOutputStream = output });
            Assert.Equal(0, r.ExitCode);
            Assert.Equal(payload, output.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public void TextProgramsStillReadAStreamAsTextAndWriteIntoTheOutputStream(string kind)
    {
        // sha256 without operands digests its (text) stdin; its answer lands in the output stream.
        if (kind == "local" && !File.Exists("/usr/bin/sha256sum")) return;
        var host = HostFor(kind);
        var tool = kind == "local" ? "/usr/bin/sha256sum" : "/sbin/sha256";
        var output = new MemoryStream();
        var r = Run(host, new ProcessRequest(tool, Array.Empty<string>()) { StandardInputStream = new MemoryStream("abc"u8.ToArray()), StandardOutputStream = output });
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.StandardOutput);
        Assert.StartsWith("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", System.Text.Encoding.ASCII.GetString(output.ToArray()));
    }

    [Fact]
    public void ARequestTakesTextOrAStreamAsInputNotBoth()
    {
        Assert.Throws<ArgumentException>(() => new ProcessRequest("/bin/cat", Array.Empty<string>()) { StandardInput = "x", StandardInputStream = new MemoryStream() });
        Assert.Throws<ArgumentException>(() => new ProcessRequest("/bin/cat", Array.Empty<string>()) { StandardInputStream = new MemoryStream(), StandardInput = "x" });
    }

    /// <summary>A read-only stream of <c>length</c> pseudo-random bytes (every value, NUL included), generated as it is read.</summary>
    private sealed class GeneratedStream : Stream
    {
        private readonly long _length;
        private long _position;
        private ulong _state;

        public GeneratedStream(long length, ulong seed)
        {
            _length = length;
            _state = seed * 0x9E3779B97F4A7C15UL + 1;
        }

        public static byte[] Sha256(long length, ulong seed)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var g = new GeneratedStream(length, seed);
            var buffer = new byte[81920];
            int n;
            while ((n = g.Read(buffer, 0, buffer.Length)) > 0) hash.AppendData(buffer, 0, n);
            return hash.GetHashAndReset();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, _length - _position);
            for (int i = 0; i < n; i++)
            {
                _state ^= _state << 13; _state ^= _state >> 7; _state ^= _state << 17;
                buffer[i] = (byte)(_state >> 24);
            }
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => _length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A write-only stream that keeps only a SHA-256 and a count of what it was given.</summary>
    private sealed class HashingSink : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _length;

        public long Written => Interlocked.Read(ref _length);
        public byte[] Hash() => _hash.GetHashAndReset();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            Interlocked.Add(ref _length, buffer.Length);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Written;
        public override long Position { get => Written; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>Gives a first block, then waits (up to a limit) until the sink has received it before giving the second.</summary>
    private sealed class GatedStream : Stream
    {
        private readonly byte[] _first;
        private readonly byte[] _second;
        private readonly HashingSink _sink;
        private readonly TimeSpan _limit;
        private int _phase; // 0: first block pending, 1: second pending, 2: end
        private int _offset;

        public GatedStream(int firstBlock, int secondBlock, HashingSink sink, TimeSpan limit)
        {
            _first = new byte[firstBlock];
            _second = new byte[secondBlock];
            for (int i = 0; i < _first.Length; i++) _first[i] = (byte)i;
            for (int i = 0; i < _second.Length; i++) _second[i] = (byte)(255 - i);
            _sink = sink;
            _limit = limit;
        }

        public bool GateOpenedByOutput { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_phase == 1 && _offset == 0 && !GateOpenedByOutput)
            {
                var until = DateTime.UtcNow + _limit;
                while (_sink.Written < _first.Length)
                {
                    if (DateTime.UtcNow > until) throw new IOException("stdout did not arrive before stdin ended: the host buffered");
                    Thread.Sleep(5);
                }
                GateOpenedByOutput = true;
            }
            var block = _phase == 0 ? _first : _phase == 1 ? _second : null;
            if (block is null) return 0;
            int n = Math.Min(buffer.Length, block.Length - _offset);
            block.AsSpan(_offset, n).CopyTo(buffer);
            _offset += n;
            if (_offset == block.Length) { _phase++; _offset = 0; }
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => Task.Run(() => Read(buffer, offset, count), cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => new(Task.Run(() => Read(buffer.Span), cancellationToken));

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>The stream tests measure whole-process allocations: they run alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ByteStreamCollection
{
    public const string Name = "Byte streams (run alone)";
}

namespace JailsModule.Simulation;

/// <summary>
/// A small managed writer and reader of the .xz container (tukaani xz file format 1.0.4):
/// one block, one LZMA2 filter, CRC32 check. The writer stores the data in LZMA2 "uncompressed"
/// chunks (control 0x01/0x02), which every xz decoder (liblzma, bsdtar, 7-Zip) reads, so the
/// simulator's base.txz is a real xz file without a native liblzma. The reader handles those
/// chunks; an LZMA2-compressed chunk (from a real xz) is reported as unsupported.
/// </summary>
public static class SimXz
{
    private static readonly byte[] Magic = { 0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00 };
    private static readonly byte[] StreamFlags = { 0x00, 0x01 }; // check type 1 = CRC32
    private const int ChunkMax = 65536;

    public static bool LooksLikeXz(ReadOnlySpan<byte> data) => data.Length >= 6 && data[..6].SequenceEqual(Magic);

    public static byte[] Compress(ReadOnlySpan<byte> data)
    {
        var o = new MemoryStream();
        o.Write(Magic);
        o.Write(StreamFlags);
        WriteLe32(o, Crc32(StreamFlags));

        var index = new MemoryStream();
        index.WriteByte(0x00);
        if (data.Length == 0)
        {
            WriteVarint(index, 0);
        }
        else
        {
            long blockStart = o.Position;
            // Block header: size byte, flags (1 filter, no sizes), LZMA2 id 0x21, 1 property byte, dict size, padding, CRC32.
            var header = new byte[] { 0x02, 0x00, 0x21, 0x01, 0x10, 0x00, 0x00, 0x00 };
            o.Write(header);
            WriteLe32(o, Crc32(header));
            for (int pos = 0, n = 0; pos < data.Length; pos += ChunkMax, n++)
            {
                int len = Math.Min(ChunkMax, data.Length - pos);
                o.WriteByte(n == 0 ? (byte)0x01 : (byte)0x02);
                o.WriteByte((byte)((len - 1) >> 8));
                o.WriteByte((byte)((len - 1) & 0xFF));
                o.Write(data.Slice(pos, len));
            }
            o.WriteByte(0x00);
            long unpadded = o.Position - blockStart;
            while ((o.Position - blockStart) % 4 != 0) o.WriteByte(0);
            WriteLe32(o, Crc32(data));
            unpadded += 4;
            WriteVarint(index, 1);
            WriteVarint(index, (ulong)unpadded);
            WriteVarint(index, (ulong)data.Length);
        }
        while (index.Length % 4 != 0) index.WriteByte(0);
        var indexBytes = index.ToArray();
        o.Write(indexBytes);
        WriteLe32(o, Crc32(indexBytes));

        var footer = new byte[6];
        BitConverter.TryWriteBytes(footer.AsSpan(0, 4), (uint)((indexBytes.Length + 4) / 4 - 1));
        footer[4] = StreamFlags[0];
        footer[5] = StreamFlags[1];
        WriteLe32(o, Crc32(footer));
        o.Write(footer);
        o.WriteByte((byte)'Y');
        o.WriteByte((byte)'Z');
        return o.ToArray();
    }

    /// <summary>Decodes an xz stream written with stored LZMA2 chunks. Throws <see cref="InvalidDataException"/> on damage.</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> xz)
    {
        if (!LooksLikeXz(xz)) throw new InvalidDataException("Unrecognized archive format");
        if (xz.Length < 12) throw new EndOfStreamException("Truncated xz stream");
        int check = xz[7] & 0x0F;
        int checkSize = check switch { 0 => 0, 1 => 4, 4 => 8, 10 => 32, _ => throw new InvalidDataException("Unsupported xz check") };
        int p = 12;
        var output = new MemoryStream();
        while (true)
        {
            if (p >= xz.Length) throw new EndOfStreamException("Truncated xz stream");
            if (xz[p] == 0x00) break; // index indicator
            int blockStart = p;
            int headerSize = (xz[p] + 1) * 4;
            if (p + headerSize > xz.Length) throw new EndOfStreamException("Truncated xz stream");
            if (xz[p + 2] != 0x21 || (xz[p + 1] & 0x03) != 0) throw new InvalidDataException("Unsupported xz filter chain");
            p += headerSize;
            long blockOut = output.Length;
            while (true)
            {
                if (p >= xz.Length) throw new EndOfStreamException("Truncated xz stream");
                byte control = xz[p++];
                if (control == 0x00) break;
                if (control >= 0x80) throw new NotSupportedException("LZMA2-compressed chunks are not supported by the simulated host");
                if (control > 0x02) throw new InvalidDataException("Corrupt LZMA2 chunk");
                if (p + 2 > xz.Length) throw new EndOfStreamException("Truncated xz stream");
                int len = ((xz[p] << 8) | xz[p + 1]) + 1;
                p += 2;
                if (p + len > xz.Length) throw new EndOfStreamException("Truncated xz stream");
                output.Write(xz.Slice(p, len));
                p += len;
            }
            while ((p - blockStart) % 4 != 0) p++;
            if (p + checkSize > xz.Length) throw new EndOfStreamException("Truncated xz stream");
            if (check == 1)
            {
                var data = output.GetBuffer().AsSpan((int)blockOut, (int)(output.Length - blockOut));
                if (BitConverter.ToUInt32(xz.Slice(p, 4)) != Crc32(data)) throw new InvalidDataException("xz data is corrupt (CRC32 mismatch)");
            }
            p += checkSize;
        }
        return output.ToArray();
    }

    private static void WriteVarint(Stream s, ulong v)
    {
        while (v >= 0x80) { s.WriteByte((byte)(v | 0x80)); v >>= 7; }
        s.WriteByte((byte)v);
    }

    private static void WriteLe32(Stream s, uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BitConverter.TryWriteBytes(b, v);
        s.Write(b);
    }

    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var t = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }

    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (var b in data) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}

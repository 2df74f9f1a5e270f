using System.IO.Compression;
using System.Text;

namespace Interop.Tests;

public sealed class NewcArchiveTests
{
    [Fact]
    public void WritesNewcEntryAndTrailerWithFourBytePadding()
    {
        var gz = NewcArchive.Gzip([("scenario.env", Encoding.ASCII.GetBytes("A=1\n"))]);
        using var input = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        input.CopyTo(raw);
        var text = Encoding.ASCII.GetString(raw.ToArray());

        // Header: magic, ino 1, mode 0100644, uid, gid, nlink 1, mtime, size 4, 4 device fields, namesize 13, check.
        Assert.StartsWith("070701" + "00000001" + "000081A4" + "00000000" + "00000000" + "00000001" + "00000000" + "00000004"
            + "00000000" + "00000000" + "00000000" + "00000000" + "0000000D" + "00000000" + "scenario.env\0", text, StringComparison.Ordinal);

        // 110-byte header + 13-byte name = 123, padded to 124; data at 124..127 needs no padding.
        Assert.Equal("A=1\n", text.Substring(124, 4));
        Assert.Equal("070701", text.Substring(128, 6));
        Assert.Contains("TRAILER!!!\0", text, StringComparison.Ordinal);
        Assert.Equal(0, raw.Length % 4);
    }
}

using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Interop.Tests;

/// <summary>
/// Writes a gzip-compressed cpio "newc" archive of regular files (the format the kernel unpacks as initramfs;
/// an archive appended to the image overlays its files).
/// </summary>
public static class NewcArchive
{
    private const string Magic = "070701";
    private const int RegularFile0644 = 0x81A4; // S_IFREG | 0644

    public static byte[] Gzip(IReadOnlyList<(string Name, byte[] Data)> files)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            var ino = 1;
            foreach (var (name, data) in files)
            {
                WriteEntry(gzip, name, data, RegularFile0644, ino++);
            }

            WriteEntry(gzip, "TRAILER!!!", [], 0, 0);
        }

        return output.ToArray();
    }

    private static void WriteEntry(Stream s, string name, byte[] data, int mode, int ino)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var header = new StringBuilder(Magic);
        foreach (var field in new[] { ino, mode, 0, 0, 1, 0, data.Length, 0, 0, 0, 0, nameBytes.Length + 1, 0 })
        {
            header.Append(field.ToString("X8", CultureInfo.InvariantCulture));
        }

        var headerBytes = Encoding.ASCII.GetBytes(header.ToString());
        s.Write(headerBytes);
        s.Write(nameBytes);
        s.WriteByte(0);
        Pad(s, headerBytes.Length + nameBytes.Length + 1);
        s.Write(data);
        Pad(s, data.Length);
    }

    private static void Pad(Stream s, int length)
    {
        for (var i = length; i % 4 != 0; i++)
        {
            s.WriteByte(0);
        }
    }
}

using System.Buffers.Binary;
using System.Text;

namespace KafkaDemo.AppHost.Tests.Containers;

/// <summary>
/// The DT_NEEDED entries of a 64-bit little-endian ELF shared library (what <c>readelf -d</c> lists
/// as NEEDED): the dynamic section (SHT_DYNAMIC), its entries with tag DT_NEEDED, their names in the
/// string table the section links to. Enough for librdkafka's x86-64 and arm64 builds.
/// </summary>
internal static class ElfNeeded
{
    private const uint ShtDynamic = 6;
    private const long DtNull = 0;
    private const long DtNeeded = 1;

    public static IReadOnlyList<string> Of(string path)
    {
        var elf = File.ReadAllBytes(path);
        Assert.True(elf is [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, ..], $"{path} is not a 64-bit little-endian ELF file.");
        var sectionTable = (int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x28));
        var sectionSize = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3A));
        var sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3C));

        Span<byte> Section(int index) => elf.AsSpan(sectionTable + (index * sectionSize), sectionSize);
        var dynamic = Enumerable.Range(0, sectionCount).Single(i => BinaryPrimitives.ReadUInt32LittleEndian(Section(i)[4..]) == ShtDynamic);
        var offset = (int)BinaryPrimitives.ReadUInt64LittleEndian(Section(dynamic)[0x18..]);
        var size = (int)BinaryPrimitives.ReadUInt64LittleEndian(Section(dynamic)[0x20..]);
        var strings = (int)BinaryPrimitives.ReadUInt64LittleEndian(Section((int)BinaryPrimitives.ReadUInt32LittleEndian(Section(dynamic)[0x28..]))[0x18..]);

        var needed = new List<string>();
        for (var entry = offset; entry + 16 <= offset + size; entry += 16)
        {
            var tag = BinaryPrimitives.ReadInt64LittleEndian(elf.AsSpan(entry));
            if (tag == DtNull)
            {
                break;
            }

            if (tag == DtNeeded)
            {
                var start = strings + (int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(entry + 8));
                var end = Array.IndexOf(elf, (byte)0, start);
                needed.Add(Encoding.ASCII.GetString(elf, start, end - start));
            }
        }

        return needed;
    }
}

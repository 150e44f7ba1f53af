namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// How many terminal cells Rich 14.1.0 gives a character (rich/cells.py get_character_cell_size:
/// 0 for control and combining characters, 2 for East Asian wide and fullwidth ones and most emoji,
/// 1 for everything else), and the cell length of a string (cell_len, the sum).
/// </summary>
/// <remarks>
/// The table below is data measured from Rich 14.1.0's behaviour, not its code: every code point
/// whose width is not 1, as ranges, found by calling <c>get_character_cell_size</c> on each code
/// point with Rich 14.1.0 (git tag v14.1.0 of Textualize/rich) under Python 3.11. Rich 13.3.1
/// (Debian's python3-rich) differs for 1,080 code points (rich CHANGELOG 13.4.0: "Updated the widths
/// of some characters", #3289); the conformance tests know which.
/// </remarks>
internal static class CellWidths
{
    private const string Table =
        "0-1F:0,7F-9F:0,AD:0,300-36F:0,483-489:0,591-5BD:0,5BF:0,5C1-5C2:0,5C4-5C5:0,5C7:0,600-605:0,610-61A:0," +
        "61C:0,64B-65F:0,670:0,6D6-6DD:0,6DF-6E4:0,6E7-6E8:0,6EA-6ED:0,70F:0,711:0,730-74A:0,7A6-7B0:0,7EB-7F3:0," +
        "7FD:0,816-819:0,81B-823:0,825-827:0,829-82D:0,859-85B:0,890-891:0,898-89F:0,8CA-903:0,93A-93C:0,93E-94F:0,951-957:0," +
        "962-963:0,981-983:0,9BC:0,9BE-9C4:0,9C7-9C8:0,9CB-9CD:0,9D7:0,9E2-9E3:0,9FE:0,A01-A03:0,A3C:0,A3E-A42:0," +
        "A47-A48:0,A4B-A4D:0,A51:0,A70-A71:0,A75:0,A81-A83:0,ABC:0,ABE-AC5:0,AC7-AC9:0,ACB-ACD:0,AE2-AE3:0,AFA-AFF:0," +
        "B01-B03:0,B3C:0,B3E-B44:0,B47-B48:0,B4B-B4D:0,B55-B57:0,B62-B63:0,B82:0,BBE-BC2:0,BC6-BC8:0,BCA-BCD:0,BD7:0," +
        "C00-C04:0,C3C:0,C3E-C44:0,C46-C48:0,C4A-C4D:0,C55-C56:0,C62-C63:0,C81-C83:0,CBC:0,CBE-CC4:0,CC6-CC8:0,CCA-CCD:0," +
        "CD5-CD6:0,CE2-CE3:0,CF3:0,D00-D03:0,D3B-D3C:0,D3E-D44:0,D46-D48:0,D4A-D4D:0,D57:0,D62-D63:0,D81-D83:0,DCA:0," +
        "DCF-DD4:0,DD6:0,DD8-DDF:0,DF2-DF3:0,E31:0,E34-E3A:0,E47-E4E:0,EB1:0,EB4-EBC:0,EC8-ECE:0,F18-F19:0,F35:0," +
        "F37:0,F39:0,F3E-F3F:0,F71-F84:0,F86-F87:0,F8D-F97:0,F99-FBC:0,FC6:0,102B-103E:0,1056-1059:0,105E-1060:0,1062-1064:0," +
        "1067-106D:0,1071-1074:0,1082-108D:0,108F:0,109A-109D:0,1100-115F:2,1160-11FF:0,135D-135F:0,1712-1715:0,1732-1734:0,1752-1753:0,1772-1773:0," +
        "17B4-17D3:0,17DD:0,180B-180F:0,1885-1886:0,18A9:0,1920-192B:0,1930-193B:0,1A17-1A1B:0,1A55-1A5E:0,1A60-1A7C:0,1A7F:0,1AB0-1ACE:0," +
        "1B00-1B04:0,1B34-1B44:0,1B6B-1B73:0,1B80-1B82:0,1BA1-1BAD:0,1BE6-1BF3:0,1C24-1C37:0,1CD0-1CD2:0,1CD4-1CE8:0,1CED:0,1CF4:0,1CF7-1CF9:0," +
        "1DC0-1DFF:0,200B-200F:0,2028-202E:0,2060-2064:0,2066-206F:0,20D0-20F0:0,231A-231B:2,2329-232A:2,23E9-23EC:2,23F0:2,23F3:2,25FD-25FE:2," +
        "2614-2615:2,2648-2653:2,267F:2,2693:2,26A1:2,26AA-26AB:2,26BD-26BE:2,26C4-26C5:2,26CE:2,26D4:2,26EA:2,26F2-26F3:2," +
        "26F5:2,26FA:2,26FD:2,2705:2,270A-270B:2,2728:2,274C:2,274E:2,2753-2755:2,2757:2,2795-2797:2,27B0:2," +
        "27BF:2,2B1B-2B1C:2,2B50:2,2B55:2,2CEF-2CF1:0,2D7F:0,2DE0-2DFF:0,2E80-2E99:2,2E9B-2EF3:2,2F00-2FD5:2,2FF0-3029:2,302A-302F:0," +
        "3030-303E:2,3041-3096:2,3099-309A:0,309B-30FF:2,3105-312F:2,3131-318E:2,3190-31E3:2,31EF-321E:2,3220-3247:2,3250-4DBF:2,4E00-A48C:2,A490-A4C6:2," +
        "A66F-A672:0,A674-A67D:0,A69E-A69F:0,A6F0-A6F1:0,A802:0,A806:0,A80B:0,A823-A827:0,A82C:0,A880-A881:0,A8B4-A8C5:0,A8E0-A8F1:0," +
        "A8FF:0,A926-A92D:0,A947-A953:0,A960-A97C:2,A980-A983:0,A9B3-A9C0:0,A9E5:0,AA29-AA36:0,AA43:0,AA4C-AA4D:0,AA7B-AA7D:0,AAB0:0," +
        "AAB2-AAB4:0,AAB7-AAB8:0,AABE-AABF:0,AAC1:0,AAEB-AAEF:0,AAF5-AAF6:0,ABE3-ABEA:0,ABEC-ABED:0,AC00-D7A3:2,D7B0-D7FF:0,F900-FAFF:2,FB1E:0," +
        "FE00-FE0F:0,FE10-FE19:2,FE20-FE2F:0,FE30-FE52:2,FE54-FE66:2,FE68-FE6B:2,FEFF:0,FF01-FF60:2,FFE0-FFE6:2,FFF9-FFFB:0,101FD:0,102E0:0," +
        "10376-1037A:0,10A01-10A03:0,10A05-10A06:0,10A0C-10A0F:0,10A38-10A3A:0,10A3F:0,10AE5-10AE6:0,10D24-10D27:0,10EAB-10EAC:0,10EFD-10EFF:0,10F46-10F50:0,10F82-10F85:0," +
        "11000-11002:0,11038-11046:0,11070:0,11073-11074:0,1107F-11082:0,110B0-110BA:0,110BD:0,110C2:0,110CD:0,11100-11102:0,11127-11134:0,11145-11146:0," +
        "11173:0,11180-11182:0,111B3-111C0:0,111C9-111CC:0,111CE-111CF:0,1122C-11237:0,1123E:0,11241:0,112DF-112EA:0,11300-11303:0,1133B-1133C:0,1133E-11344:0," +
        "11347-11348:0,1134B-1134D:0,11357:0,11362-11363:0,11366-1136C:0,11370-11374:0,11435-11446:0,1145E:0,114B0-114C3:0,115AF-115B5:0,115B8-115C0:0,115DC-115DD:0," +
        "11630-11640:0,116AB-116B7:0,1171D-1172B:0,1182C-1183A:0,11930-11935:0,11937-11938:0,1193B-1193E:0,11940:0,11942-11943:0,119D1-119D7:0,119DA-119E0:0,119E4:0," +
        "11A01-11A0A:0,11A33-11A39:0,11A3B-11A3E:0,11A47:0,11A51-11A5B:0,11A8A-11A99:0,11C2F-11C36:0,11C38-11C3F:0,11C92-11CA7:0,11CA9-11CB6:0,11D31-11D36:0,11D3A:0," +
        "11D3C-11D3D:0,11D3F-11D45:0,11D47:0,11D8A-11D8E:0,11D90-11D91:0,11D93-11D97:0,11EF3-11EF6:0,11F00-11F01:0,11F03:0,11F34-11F3A:0,11F3E-11F42:0,13430-13440:0," +
        "13447-13455:0,16AF0-16AF4:0,16B30-16B36:0,16F4F:0,16F51-16F87:0,16F8F-16F92:0,16FE0-16FE3:2,16FE4:0,16FF0-16FF1:0,17000-187F7:2,18800-18CD5:2,18D00-18D08:2," +
        "1AFF0-1AFF3:2,1AFF5-1AFFB:2,1AFFD-1AFFE:2,1B000-1B122:2,1B132:2,1B150-1B152:2,1B155:2,1B164-1B167:2,1B170-1B2FB:2,1BC9D-1BC9E:0,1BCA0-1BCA3:0,1CF00-1CF2D:0," +
        "1CF30-1CF46:0,1D165-1D169:0,1D16D-1D182:0,1D185-1D18B:0,1D1AA-1D1AD:0,1D242-1D244:0,1DA00-1DA36:0,1DA3B-1DA6C:0,1DA75:0,1DA84:0,1DA9B-1DA9F:0,1DAA1-1DAAF:0," +
        "1E000-1E006:0,1E008-1E018:0,1E01B-1E021:0,1E023-1E024:0,1E026-1E02A:0,1E08F:0,1E130-1E136:0,1E2AE:0,1E2EC-1E2EF:0,1E4EC-1E4EF:0,1E8D0-1E8D6:0,1E944-1E94A:0," +
        "1F004:2,1F0CF:2,1F18E:2,1F191-1F19A:2,1F200-1F202:2,1F210-1F23B:2,1F240-1F248:2,1F250-1F251:2,1F260-1F265:2,1F300-1F320:2,1F32D-1F335:2,1F337-1F37C:2," +
        "1F37E-1F393:2,1F3A0-1F3CA:2,1F3CF-1F3D3:2,1F3E0-1F3F0:2,1F3F4:2,1F3F8-1F3FA:2,1F3FB-1F3FF:0,1F400-1F43E:2,1F440:2,1F442-1F4FC:2,1F4FF-1F53D:2,1F54B-1F54E:2," +
        "1F550-1F567:2,1F57A:2,1F595-1F596:2,1F5A4:2,1F5FB-1F64F:2,1F680-1F6C5:2,1F6CC:2,1F6D0-1F6D2:2,1F6D5-1F6D7:2,1F6DC-1F6DF:2,1F6EB-1F6EC:2,1F6F4-1F6FC:2," +
        "1F7E0-1F7EB:2,1F7F0:2,1F90C-1F93A:2,1F93C-1F945:2,1F947-1F9FF:2,1FA70-1FA7C:2,1FA80-1FA88:2,1FA90-1FABD:2,1FABF-1FAC5:2,1FACE-1FADB:2,1FAE0-1FAE8:2,1FAF0-1FAF8:2," +
        "20000-2FFFD:2,30000-3FFFD:2,E0001:0,E0020-E007F:0,E0100-E01EF:0";
    private static readonly (int Start, int End, int Width)[] Ranges = Parse(Table);

    /// <summary>The cells one code point takes: 0, 1 or 2.</summary>
    public static int Of(int point)
    {
        var low = 0;
        var high = Ranges.Length - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            var (start, end, width) = Ranges[middle];
            if (point < start)
            {
                high = middle - 1;
            }
            else if (point > end)
            {
                low = middle + 1;
            }
            else
            {
                return width;
            }
        }

        return 1;
    }

    /// <summary>rich/cells.py cell_len: the sum of the widths of the code points.</summary>
    public static int Length(string text)
    {
        var total = 0;
        foreach (var point in PyStr.CodePoints(text))
        {
            total += Of(point);
        }

        return total;
    }

    /// <summary>The ranges of code points whose width is not 1, for the conformance tests.</summary>
    public static IReadOnlyList<(int Start, int End, int Width)> NonSingleRanges => Ranges;

    internal static (int Start, int End, int Width)[] Parse(string table) =>
    [
        .. table.Split(',').Select(entry =>
        {
            var (range, width) = (entry[..entry.IndexOf(':', StringComparison.Ordinal)], int.Parse(entry[(entry.IndexOf(':', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            var dash = range.IndexOf('-', StringComparison.Ordinal);
            var start = int.Parse(dash < 0 ? range : range[..dash], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            var end = dash < 0 ? start : int.Parse(range[(dash + 1)..], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            return (start, end, width);
        }),
    ];
}

using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// Rich's <c>:name:</c> emoji codes (rich/_emoji_replace.py _emoji_replace, applied to every
/// <c>str</c> a Console prints with <c>emoji=True</c>, the default). Rich knows 3,608 names
/// (rich/_emoji_codes.py); this stand-in knows the ones an agent's summary or memory is likely to
/// use, and every short one (which ordinary text matches by accident), each checked against Rich by
/// the conformance tests. A code outside this list stays literal, as Rich leaves a code it does not
/// know; that is the one place the stand-in may print <c>:name:</c> where Rich prints an emoji.
/// </summary>
internal static partial class EmojiCodes
{
    /// <summary>
    /// name=code points (hex, '+' between them): every code of four characters or fewer (they turn up
    /// by accident between colons, as in "a:b:c") and a list of longer ones a summary or memory may
    /// use; data read from Rich 14.1.0's EMOJI table, each entry checked against Rich by the tests.
    /// </summary>
    private const string Table =
        "+1=1F44D,-1=1F44E,100=1F4AF,1234=1F522,__1=1F44E,a=1F170,ab=1F18E,abc=1F524,abcd=1F521,ant=1F41C," +
        "arrow_down=2B07,arrow_forward=25B6,arrow_left=2B05,arrow_right=27A1,arrow_up=2B06,arrows_counterclockwise=1F504,art=1F3A8,atm=1F3E7,axe=1FA93,b=1F171," +
        "baby=1F476,back=1F519,bald=1F9B2,ballot_box_with_check=2611,bank=1F3E6,bar_chart=1F4CA,bat=1F987,bath=1F6C0,bear=1F43B,bed=1F6CF," +
        "bee=1F41D,beer=1F37A,bell=1F514,bike=1F6B2,bird=1F426,boar=1F417,boat=26F5,bomb=1F4A3,bone=1F9B4,book=1F4D6," +
        "boom=1F4A5,boot=1F462,bow=1F647,boy=1F466,brain=1F9E0,broken_heart=1F494,bug=1F41B,bulb=1F4A1,bus=1F68C,cake=1F370," +
        "calendar=1F4C6,car=1F697,cat=1F431,cat2=1F408,cd=1F4BF,chad=1F1F9+1F1E9,chart_with_downwards_trend=1F4C9,chart_with_upwards_trend=1F4C8,checkered_flag=1F3C1,cl=1F191," +
        "clap=1F44F,clipboard=1F4CB,cloud=2601,coat=1F9E5,collision=1F4A5,computer=1F4BB,construction=1F6A7,cool=1F192,cop=1F46E,corn=1F33D," +
        "counterclockwise_arrows_button=1F504,cow=1F42E,cow2=1F404,crab=1F980,cross_mark=274C,cry=1F622,crystal_ball=1F52E,cuba=1F1E8+1F1FA,dart=1F3AF,dash=1F4A8," +
        "date=1F4C5,deer=1F98C,dna=1F9EC,dog=1F436,dog2=1F415,door=1F6AA,dove=1F54A,drum=1F941,duck=1F986,dvd=1F4C0," +
        "ear=1F442,egg=1F373,elf=1F9DD,end=1F51A,euro=1F4B6,ewe=1F411,exclamation=2757,eye=1F441,eyes=1F440,fax=1F4E0," +
        "feet=1F43E,fiji=1F1EB+1F1EF,fire=1F525,fish=1F41F,fist=270A,five=35+FE0F+20E3,floppy_disk=1F4BE,fog=1F32B,foot=1F9B6,four=34+FE0F+20E3," +
        "free=1F193,frog=1F438,gear=2699,gem=1F48E,gift=1F381,girl=1F467,globe_with_meridians=1F310,goat=1F410,golf=26F3,green_circle=1F7E2," +
        "grin=1F601,guam=1F1EC+1F1FA,gun=1F52B,hammer=1F528,hammer_and_wrench=1F6E0,hand=270B,heart=2764,heavy_check_mark=2714,heavy_multiplication_x=2716,herb=1F33F," +
        "high_voltage=26A1,hole=1F573,hourglass=231B,hourglass_flowing_sand=23F3,ice=1F9CA,id=1F194,imp=1F47F,information=2139,information_source=2139,iran=1F1EE+1F1F7," +
        "iraq=1F1EE+1F1F6,joy=1F602,key=1F511,kiss=1F48B,kite=1FA81,koko=1F201,laos=1F1F1+1F1E6,leg=1F9B5,leo=264C,light_bulb=1F4A1," +
        "link=1F517,lips=1F444,lock=1F512,loop=27BF,m=24C2,mag=1F50D,mage=1F9D9,mali=1F1F2+1F1F1,man=1F468,mask=1F637," +
        "mate=1F9C9,mega=1F4E3,memo=1F4DD,mens=1F6B9,microscope=1F52C,moai=1F5FF,moon=1F314,mute=1F507,new=1F195,ng=1F196," +
        "nine=39+FE0F+20E3,niue=1F1F3+1F1FA,no_entry=26D4,no_entry_sign=1F6AB,nose=1F443,o=2B55,o2=1F17E,oden=1F362,ogre=1F479,ok=1F197," +
        "om=1F549,oman=1F1F4+1F1F2,on=1F51B,one=31+FE0F+20E3,owl=1F989,ox=1F402,package=1F4E6,party_popper=1F389,pause_button=23F8,pear=1F350," +
        "pen=1F58A,peru=1F1F5+1F1EA,pick=26CF,pie=1F967,pig=1F437,pig2=1F416,pill=1F48A,point_right=1F449,poop=1F4A9,pray=1F64F," +
        "pushpin=1F4CC,question=2753,rage=1F621,ram=1F40F,rat=1F400,recycle=267B,red_circle=1F534,repeat=1F501,rice=1F35A,ring=1F48D," +
        "robot=1F916,rocket=1F680,rose=1F339,rotating_light=1F6A8,sa=1F202,sake=1F376,salt=1F9C2,sari=1F97B,satellite=1F4E1,seat=1F4BA," +
        "ship=1F6A2,shit=1F4A9,shoe=1F45E,six=36+FE0F+20E3,ski=1F3BF,skis=1F3BF,skull=1F480,sled=1F6F7,snail=1F40C,snowflake=2744," +
        "soap=1F9FC,sob=1F62D,soon=1F51C,sos=1F198,sparkles=2728,star=2B50,stew=1F372,stop_sign=1F6D1,stopwatch=23F1,sun=2600," +
        "swan=1F9A2,taco=1F32E,tada=1F389,taxi=1F695,tea=1F375,ten=1F51F,tent=26FA,test_tube=1F9EA,thinking_face=1F914,thumbs_down=1F44E," +
        "thumbs_up=1F44D,thumbsup=1F44D,tm=2122,togo=1F1F9+1F1EC,top=1F51D,tram=1F68A,triangular_flag_on_post=1F6A9,turtle=1F422,tv=1F4FA,two=32+FE0F+20E3," +
        "up=1F199,v=270C,vhs=1F4FC,vs=1F19A,warning=26A0,wave=1F44B,wc=1F6BE,white_check_mark=2705,wink=1F609,wolf=1F43A," +
        "wrench=1F527,x=274C,yarn=1F9F6,yellow_circle=1F7E1,yen=1F4B4,yum=1F60B,zap=26A1,zero=30+FE0F+20E3,zzz=1F4A4";

    private static readonly FrozenDictionary<string, string> Codes = Table.Split(',')
        .Select(entry => entry.Split('='))
        .ToFrozenDictionary(
            parts => parts[0],
            parts => string.Concat(parts[1].Split('+').Select(hex => char.ConvertFromUtf32(int.Parse(hex, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture)))),
            StringComparer.Ordinal);

    /// <summary>Every name this stand-in knows, for the conformance tests.</summary>
    public static IReadOnlyDictionary<string, string> Known => Codes;

    /// <summary>
    /// rich/_emoji_replace.py _emoji_replace: each <c>:name:</c>, <c>:name-emoji:</c> or
    /// <c>:name-text:</c> whose lower-cased name is known becomes the emoji (with U+FE0F or U+FE0E
    /// for the variants); anything else stays as written. Python's <c>\S</c> also excludes U+001C..U+001F.
    /// </summary>
    public static string Replace(string text) =>
        text.Contains(':', StringComparison.Ordinal)
            ? CodePattern().Replace(text, match =>
                Codes.TryGetValue(match.Groups["name"].Value.ToLowerInvariant(), out var emoji)
                    ? emoji + (match.Groups["variant"].Value switch { "emoji" => "\uFE0F", "text" => "\uFE0E", _ => "" })
                    : match.Value)
            : text;

    [GeneratedRegex(@":(?<name>[^\s\x1c-\x1f]*?)(?:-(?<variant>emoji|text))?:", RegexOptions.CultureInvariant)]
    private static partial Regex CodePattern();
}

using KafkaDemo.ServiceHosting.ControlAccess;
using KafkaDemo.ServiceHosting.Messaging;

namespace KafkaDemo.UnitTests.Limits;

public sealed class ControlAccessTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kafkademo-unit-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("http://localhost:5101", true)]
    [InlineData("http://127.0.0.1:5101", true)]
    [InlineData("http://127.0.0.2:5101", true)]
    [InlineData("http://[::1]:5101", true)]
    [InlineData("http://0.0.0.0:5101", false)]
    [InlineData("http://[::]:5101", false)]
    [InlineData("http://*:5101", false)]
    [InlineData("http://+:5101", false)]
    [InlineData("http://192.168.1.10:5101", false)]
    [InlineData("http://example.com:5101", false)]
    public void Only_loopback_addresses_count_as_this_machine(string address, bool loopback)
    {
        Assert.Equal(loopback, Loopback.IsLoopbackUrl(address));
        Assert.Equal(loopback ? [] : [address], LoopbackBinding.Exposed([address]));
    }

    [Fact]
    public void An_ipv4_mapped_loopback_peer_is_loopback()
    {
        Assert.True(Loopback.IsLoopback(System.Net.IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.False(Loopback.IsLoopback(System.Net.IPAddress.Parse("::ffff:10.0.0.1")));
        Assert.False(Loopback.IsLoopback(null));
    }

    [Fact]
    public void No_token_is_valid_and_means_loopback_only()
    {
        Assert.True(new ControlOptionsValidator().Validate(null, new ControlOptions()).Succeeded);
        Assert.Null(new ControlOptions().ResolvedToken());
    }

    [Fact]
    public void A_token_comes_from_the_setting_or_the_first_line_of_a_file()
    {
        var file = Path.Combine(_directory, "token");
        File.WriteAllText(file, "token-from-a-file-0123456789\nignored");

        Assert.Equal("token-from-a-file-0123456789", new ControlOptions { TokenFile = file }.ResolvedToken());
        Assert.Equal("token-in-the-setting-0123", new ControlOptions { Token = "token-in-the-setting-0123" }.ResolvedToken());
    }

    [Theory]
    [InlineData("short", "", "Control:Token")]
    [InlineData("", "missing", "Control:TokenFile")]
    [InlineData("token-in-the-setting-0123", "also-a-file", "not both")]
    public void A_bad_token_setting_names_its_key(string token, string file, string expected)
    {
        var options = new ControlOptions { Token = token, TokenFile = file.Length > 0 ? Path.Combine(_directory, file) : "" };

        var result = new ControlOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_hmac_secret_can_come_from_a_file()
    {
        var file = Path.Combine(_directory, "secret");
        File.WriteAllText(file, "secret-from-a-file-0123456789\n");

        var options = new MessagingOptions { HmacSecretFile = file };

        Assert.True(new MessagingOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal("secret-from-a-file-0123456789", options.ResolvedSecret());
        var missing = new MessagingOptionsValidator().Validate(null, new MessagingOptions { HmacSecretFile = Path.Combine(_directory, "none") });
        Assert.Contains("Messaging:HmacSecretFile", missing.FailureMessage, StringComparison.Ordinal);
    }
}

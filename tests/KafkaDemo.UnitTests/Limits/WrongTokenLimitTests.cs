using System.Net;
using KafkaDemo.ServiceHosting.ControlAccess;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KafkaDemo.UnitTests.Limits;

public sealed class WrongTokenLimitTests
{
    private static readonly IPAddress Peer = IPAddress.Parse("203.0.113.7");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void An_address_is_refused_after_its_last_allowed_wrong_token_until_the_window_from_its_first_ends()
    {
        var limit = new WrongTokenLimit(_time, NullLogger<WrongTokenLimit>.Instance);
        for (var i = 1; i < WrongTokenLimit.Attempts; i++)
        {
            Assert.Null(limit.RetryAfter(Peer));
            Assert.False(limit.RecordWrong(Peer), $"wrong token {i} of {WrongTokenLimit.Attempts} ended the allowance");
            _time.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Null(limit.RetryAfter(Peer));
        Assert.True(limit.RecordWrong(Peer));
        var elapsed = TimeSpan.FromSeconds(10 * (WrongTokenLimit.Attempts - 1));
        Assert.Equal(WrongTokenLimit.Window - elapsed, limit.RetryAfter(Peer));

        // Another address is not affected.
        Assert.Null(limit.RetryAfter(IPAddress.Parse("203.0.113.8")));

        _time.Advance(WrongTokenLimit.Window - elapsed - TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), limit.RetryAfter(Peer));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(limit.RetryAfter(Peer));

        // A fresh window: the count starts again.
        Assert.False(limit.RecordWrong(Peer));
        Assert.Null(limit.RetryAfter(Peer));
    }

    [Fact]
    public void Wrong_tokens_spread_over_more_than_a_window_are_never_refused()
    {
        var limit = new WrongTokenLimit(_time, NullLogger<WrongTokenLimit>.Instance);
        var spacing = WrongTokenLimit.Window / (WrongTokenLimit.Attempts - 1) + TimeSpan.FromSeconds(1);
        for (var i = 0; i < 3 * WrongTokenLimit.Attempts; i++)
        {
            Assert.Null(limit.RetryAfter(Peer));
            limit.RecordWrong(Peer);
            _time.Advance(spacing);
        }
    }

    [Fact]
    public void An_ipv6_host_counts_by_its_64_block_and_an_ipv4_mapped_peer_as_its_ipv4_address()
    {
        var limit = new WrongTokenLimit(_time, NullLogger<WrongTokenLimit>.Instance);
        for (var i = 0; i < WrongTokenLimit.Attempts; i++)
        {
            limit.RecordWrong(IPAddress.Parse($"2001:db8:1:2::{i + 1:x}"));
            limit.RecordWrong(IPAddress.Parse("::ffff:198.51.100.4"));
        }

        Assert.NotNull(limit.RetryAfter(IPAddress.Parse("2001:db8:1:2:ffff::9")));
        Assert.Null(limit.RetryAfter(IPAddress.Parse("2001:db8:1:3::1")));
        Assert.NotNull(limit.RetryAfter(IPAddress.Parse("198.51.100.4")));
    }

    [Fact]
    public void A_full_table_refuses_new_addresses_until_windows_end_and_make_room()
    {
        var limit = new WrongTokenLimit(_time, NullLogger<WrongTokenLimit>.Instance);
        for (var i = 0; i < WrongTokenLimit.MaxAddresses; i++)
        {
            limit.RecordWrong(new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]));
        }

        var newcomer = IPAddress.Parse("192.0.2.1");
        Assert.Equal(WrongTokenLimit.Window, limit.RetryAfter(newcomer));
        Assert.False(limit.RecordWrong(newcomer));
        Assert.Null(limit.RetryAfter(new IPAddress([10, 0, 0, 1])));

        _time.Advance(WrongTokenLimit.Window);
        Assert.Null(limit.RetryAfter(newcomer));
        limit.RecordWrong(newcomer);
        Assert.Null(limit.RetryAfter(newcomer));
    }
}

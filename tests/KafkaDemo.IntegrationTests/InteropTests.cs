using System.Text.RegularExpressions;
using KafkaDemo.Messaging.Envelopes;
using KafkaDemo.TestSupport;

namespace KafkaDemo.IntegrationTests;

/// <summary>Other implementations can use what we build: a native Kafka client, and a verifier written from the docs.</summary>
public sealed partial class InteropTests(EmbeddedCluster embedded) : IClassFixture<EmbeddedCluster>
{
    [Fact]
    public async Task Kcat_lists_the_brokers_and_topics_of_the_embedded_cluster()
    {
        var kcat = ExternalTool.Find("kcat");
        Assert.SkipWhen(kcat is null, "kcat is not installed (Debian package kcat); .ci/run installs it.");
        var topic = embedded.NewTopic(partitions: 4);

        var (exitCode, output, error) = await ExternalTool.RunAsync(kcat!, ["-b", embedded.BootstrapServers, "-L", "-t", topic]);

        Assert.True(exitCode == 0, error);
        Assert.Contains("3 brokers", output, StringComparison.Ordinal);
        Assert.Contains($"topic \"{topic}\" with 4 partitions", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_python_verifier_in_the_wire_format_document_verifies_our_envelopes()
    {
        var python = ExternalTool.Find("python3");
        Assert.SkipWhen(python is null, "python3 is not installed.");
        var document = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "wire-format.md"), TestContext.Current.CancellationToken);
        var verifier = PythonBlock().Match(document).Groups[1].Value;
        Assert.Contains("def verify", verifier, StringComparison.Ordinal);

        const string secret = "interop-secret-0123456789";
        var writer = new EnvelopeWriter(HmacKey.FromSecret(secret));
        var lines = new List<string>();
        var expected = new List<string>();
        var random = new Random(3);
        for (var i = 0; i < 50; i++)
        {
            var envelope = new byte[random.Next(EnvelopeLayout.MinimumSize, 2000)];
            var fields = new EnvelopeFields(Guid.NewGuid(), random.NextInt64(), i, random.NextInt64(), random.NextInt64());
            writer.Write(envelope, fields, [(byte)i]);
            var verdict = "verified";
            if (i % 5 == 1)
            {
                envelope[random.Next(4, envelope.Length)] ^= 0x10;
                verdict = "bad_mac";
            }
            else if (i % 5 == 2)
            {
                envelope[2] = 2;
                verdict = "unknown_version";
            }

            lines.Add(Convert.ToHexString(envelope));
            expected.Add(verdict == "verified" ? $"verified {fields.ProducerId} {fields.Epoch} {fields.Sequence} {fields.IntendedSendMicros} {fields.ActualSendMicros}" : verdict);
        }

        var script = verifier + """

            import sys
            key = derive_key(sys.argv[1].encode())
            for line in sys.stdin.read().split():
                verdict, fields = verify(bytes.fromhex(line), key)
                print(verdict if fields is None else "verified " + " ".join(str(f) for f in fields))
            """;
        var (exitCode, output, error) = await ExternalTool.RunAsync(python!, ["-c", script, secret], string.Join('\n', lines));

        Assert.True(exitCode == 0, error);
        Assert.Equal(expected, output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "KafkaDemo.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("KafkaDemo.slnx not found above the test directory.");
    }

    [GeneratedRegex("```python\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex PythonBlock();
}

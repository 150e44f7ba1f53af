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

        const string secret = "kafkademo-test-vector-secret";
        var writer = new EnvelopeWriter(HmacKey.FromSecret(secret));
        var lines = new List<string>();
        var expected = new List<string>();
        var random = new Random(3);
        string[] topics = ["orders", "clicks", "a", new string('t', 249)];
        for (var i = 0; i < 60; i++)
        {
            var topic = topics[i % topics.Length];
            var partition = random.Next(0, 1000);
            var envelope = new byte[random.Next(EnvelopeLayout.SizeFor(topic.Length, 0), 2000)];
            var fields = new EnvelopeFields(Guid.NewGuid(), random.NextInt64(), i, random.NextInt64(), random.NextInt64());
            writer.Write(envelope, fields, topic, partition, [(byte)i]);
            var (readTopic, readPartition, verdict) = (topic, partition, "verified");
            switch (i % 6)
            {
                case 1:
                    envelope[random.Next(4, envelope.Length)] ^= 0x10;
                    verdict = "bad_mac";
                    break;
                case 2:
                    envelope[2] = 3;
                    verdict = "unknown_version";
                    break;
                case 3:
                    readPartition = partition + 1; // copied into the next partition
                    verdict = "misplaced";
                    break;
                case 4:
                    readTopic = topic + "x"; // copied into another topic
                    verdict = "misplaced";
                    break;
            }

            lines.Add($"{Convert.ToHexString(envelope)} {readTopic} {readPartition}");
            expected.Add(verdict == "verified" ? $"verified {fields.ProducerId} {fields.Epoch} {fields.Sequence} {fields.IntendedSendMicros} {fields.ActualSendMicros}" : verdict);
        }

        // And a version-1 envelope, still verified: the documented test vector, read from anywhere.
        lines.Add($"{DocumentedVersion1} anywhere 7");
        expected.Add("verified 0190a7e4-5b6c-8d2e-9f10-112233445566 1795000000000000 42 1795000000123456 1795000000123789");

        var script = verifier + """

            import sys
            key = derive_key(sys.argv[1].encode())
            for line in sys.stdin.read().splitlines():
                value, topic, partition = line.split(" ")
                verdict, fields = verify(bytes.fromhex(value), key, topic, int(partition))
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

    /// <summary>The version-1 test vector of docs/wire-format.md (secret "kafkademo-test-vector-secret").</summary>
    private const string DocumentedVersion1 =
        "4b4401000190a7e45b6c8d2e9f101122334455660006608b015f3000000000000000002a0006608b016112400006608b0161138d"
        + "0000000800010203040506071a9152cfb205671306fd165589f0a3f33a766fc4962394a26533104f47576770";

    [GeneratedRegex("```python\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex PythonBlock();
}

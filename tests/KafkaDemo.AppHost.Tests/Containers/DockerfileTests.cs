using System.Text.RegularExpressions;
using System.Xml.Linq;
using KafkaDemo.AppHost.Extensions;
using KafkaDemo.AppHost.Images;
using KafkaDemo.AppHost.Tests.Deploy;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests.Containers;

/// <summary>
/// The images of the producer, the consumer and the Overseer (KafkaDemo.*/Dockerfile) without Docker:
/// pinned bases, multi-stage, non-root, no secret-like ARG or ENV, each builds its own project with
/// everything that project reads, and the root .dockerignore keeps build output, tests and history
/// out without dropping any of it. And librdkafka's native dependencies against the runtime image.
/// </summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string> Projects => new() { "KafkaDemo.Producer", "KafkaDemo.Consumer", "KafkaDemo.Overseer" };

    /// <summary>
    /// The shared libraries in mcr.microsoft.com/dotnet/aspnet:*-noble-chiseled. Its runtime-deps base
    /// installs the chisel slices base-files_{base,chisel,release-info}, ca-certificates_data,
    /// libc6_libs, libgcc-s1_libs, libssl3t64_libs and libstdc++6_libs (dotnet/dotnet-docker
    /// src/runtime-deps/10.0/noble-chiseled/amd64/Dockerfile at 3ed00b6); the sonames below are those
    /// slices' contents (canonical/chisel-releases branch ubuntu-24.04 at b76b010, slices/libc6.yaml,
    /// libssl3t64.yaml, libgcc-s1.yaml, libstdc++6.yaml). No zlib, no libsasl2, no libcurl.
    /// </summary>
    private static readonly string[] ChiseledLibraries =
    [
        "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1",
        "libresolv.so.2", "libutil.so.1", "libanl.so.1", "libnsl.so.1", "libmvec.so.1", "libBrokenLocale.so.1", "libthread_db.so.1",
        "libgcc_s.so.1", "libstdc++.so.6", "libssl.so.3", "libcrypto.so.3",
    ];

    private static string Path(string relative) => System.IO.Path.Combine(SharedReference.RepositoryRoot, relative);

    private static IReadOnlyList<DockerInstruction> Instructions(string project) => Dockerfile.Parse(File.ReadAllText(Path($"{project}/Dockerfile")));

    [Theory]
    [MemberData(nameof(Projects))]
    public void Every_base_image_is_pinned_to_a_full_version_or_a_digest(string project)
    {
        var froms = Instructions(project).Where(i => i.Keyword == "FROM").Select(i => i.Arguments.Split(' ')[0]).ToList();
        var stages = Instructions(project).Where(i => i.Keyword == "FROM" && i.Arguments.Contains(" AS ", StringComparison.OrdinalIgnoreCase))
            .Select(i => i.Arguments.Split(' ')[^1]).ToList();

        Assert.NotEmpty(froms);
        foreach (var image in froms.Where(f => !stages.Contains(f, StringComparer.OrdinalIgnoreCase)))
        {
            Assert.DoesNotContain("$", image, StringComparison.Ordinal);
            Assert.DoesNotContain(":latest", image, StringComparison.OrdinalIgnoreCase);
            Assert.Matches(PinnedImage(), image);
        }
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void It_builds_in_one_stage_and_runs_in_another_as_a_non_root_user(string project)
    {
        var instructions = Instructions(project);
        var final = instructions.Max(i => i.Stage);

        Assert.True(final >= 1, $"{project}/Dockerfile has one stage.");
        Assert.Contains(instructions, i => i.Stage < final && i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet publish", StringComparison.Ordinal));
        Assert.Contains(instructions, i => i.Stage == final && i.Keyword == "COPY" && i.Arguments.StartsWith("--from=", StringComparison.Ordinal));
        Assert.DoesNotContain(instructions, i => i.Stage == final && i.Keyword == "RUN");
        // The last USER of the final stage decides who the container runs as: $APP_UID is the chiseled image's app (1654).
        var user = instructions.Last(i => i.Stage == final && i.Keyword == "USER").Arguments.Split(':')[0];
        Assert.True(user == "$APP_UID" || (int.TryParse(user, out var uid) && uid > 0), $"{project} runs as {user}.");
        Assert.Contains("mcr.microsoft.com/dotnet/aspnet:", instructions.Last(i => i.Keyword == "FROM").Arguments, StringComparison.Ordinal);
        Assert.Contains("-chiseled", instructions.Last(i => i.Keyword == "FROM").Arguments, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void The_final_stage_sets_the_memory_settings_the_AppHost_gives_every_service(string project)
    {
        var instructions = Instructions(project);
        var final = instructions.Max(i => i.Stage);

        Assert.Contains(
            $"MALLOC_ARENA_MAX={ServiceMemoryExtensions.MallocArenaMax} DOTNET_GCgen0size={ServiceMemoryExtensions.Gen0Size}",
            instructions.Where(i => i.Stage == final && i.Keyword == "ENV").Select(i => i.Arguments));
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void No_ARG_or_ENV_has_a_secret_like_name(string project)
    {
        var names = Instructions(project).SelectMany(Dockerfile.NamesSet).ToList();

        Assert.All(names, n => Assert.DoesNotMatch(SecretNames.Pattern(), n));
    }

    [Fact]
    public void The_secret_like_name_check_can_fail()
    {
        var names = Dockerfile.Parse("FROM scratch AS x\nARG NUGET_API_KEY\nENV A=1 Db_Password=x\nENV TOKEN value").SelectMany(Dockerfile.NamesSet).ToList();

        Assert.Equal(["NUGET_API_KEY", "A", "Db_Password", "TOKEN"], names);
        Assert.Equal(3, names.Count(n => SecretNames.Pattern().IsMatch(n)));
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void It_publishes_the_project_it_sits_in_and_starts_its_assembly(string project)
    {
        var instructions = Instructions(project);

        var publish = instructions.Single(i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet publish", StringComparison.Ordinal));
        Assert.Equal($"{project}/{project}.csproj", publish.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2]);
        var restore = instructions.Single(i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal));
        Assert.EndsWith($" {project}/{project}.csproj", restore.Arguments, StringComparison.Ordinal);
        Assert.Equal($"[\"dotnet\", \"{project}.dll\"]", instructions.Single(i => i.Keyword == "ENTRYPOINT").Arguments);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void It_copies_every_file_the_build_reads_and_the_dockerignore_lets_each_in(string project)
    {
        var ignore = DockerIgnore.Parse(File.ReadAllText(Path(".dockerignore")));
        // The context paths the build stage copies (folders without their trailing /), as the AppHost reads them to hash an image's inputs.
        var sources = Dockerfile.ContextSources(Instructions(project).Where(i => i.Stage == 0));

        // The root files every build reads, .editorconfig among them: without it the analyzers' severities
        // differ and warnings the repository turns off fail the build (warnings are errors).
        foreach (var file in new[] { "global.json", "Directory.Build.props", "Directory.Packages.props", ".editorconfig" })
        {
            Assert.Contains(file, sources);
        }

        // The project and every project it references, directly or not: the project file first (restore),
        // then the folder; and every file a project includes from outside its folder.
        foreach (var (folder, outside) in ProjectClosure(project))
        {
            Assert.Contains($"{folder}/{folder}.csproj", sources);
            Assert.Contains(folder, sources);
            foreach (var file in outside)
            {
                Assert.Contains(sources, s => s == file || file.StartsWith(s + "/", StringComparison.Ordinal));
            }
        }

        foreach (var source in sources)
        {
            Assert.True(File.Exists(Path(source)) || Directory.Exists(Path(source)), $"{project}/Dockerfile copies {source}, which does not exist.");
            var files = Directory.Exists(Path(source))
                ? Directory.EnumerateFiles(Path(source), "*.cs", SearchOption.TopDirectoryOnly).Concat([Path($"{source}/{source}.csproj")])
                : [Path(source)];
            foreach (var file in files.Where(File.Exists))
            {
                var relative = System.IO.Path.GetRelativePath(SharedReference.RepositoryRoot, file).Replace('\\', '/');
                Assert.False(ignore.Excludes(relative), $".dockerignore keeps {relative} out of {project}'s build.");
            }
        }
    }

    [Theory]
    [InlineData("KafkaDemo.Producer/bin/Release/net10.0/KafkaDemo.Producer.dll", true)]
    [InlineData("KafkaDemo.Messaging/obj/project.assets.json", true)]
    [InlineData("tests/KafkaDemo.UnitTests/KafkaDemo.UnitTests.csproj", true)]
    [InlineData(".git/HEAD", true)]
    [InlineData("KafkaDemo.Overseer/Components/Pages/bin/x", true)]
    [InlineData("README.md", true)]
    [InlineData("KafkaDemo.Producer/Program.cs", false)]
    [InlineData("KafkaDemo.Overseer/wwwroot/app.css", false)]
    [InlineData("k3d/agent/instructions.md", false)]
    [InlineData("Directory.Build.props", false)]
    [InlineData(".editorconfig", false)]
    public void The_dockerignore_keeps_out_build_output_tests_and_history_only(string path, bool excluded)
    {
        Assert.True(File.Exists(Path(".dockerignore")), "The build context's .dockerignore is missing.");

        Assert.Equal(excluded, DockerIgnore.Parse(File.ReadAllText(Path(".dockerignore"))).Excludes(path));
    }

    [Fact]
    public void The_Deployments_run_the_images_these_Dockerfiles_build()
    {
        var deployments = DeployManifests.Kustomize(DeployManifests.Load).Concat(DeployManifests.Kustomize(DeployManifests.Overseer)).OfKind("Deployment");

        var images = deployments.Select(d => ((string)d.Container()["image"]!).Split(':')[0]).Order(StringComparer.Ordinal);

        Assert.Equal(Projects.Select(p => "kafkademo-" + ((string)p.Data)["KafkaDemo.".Length..].ToLowerInvariant()).Order(StringComparer.Ordinal), images);
        Assert.All(Projects, p => Assert.True(File.Exists(Path($"{p.Data}/Dockerfile"))));
    }

    /// <summary>
    /// librdkafka.redist's Linux glibc builds, as Confluent.Kafka tries them (librdkafka, then
    /// centos8-librdkafka: LibRdKafka.LoadLinuxDelegates): at least one must need nothing the chiseled
    /// image lacks. On x64 the first needs libsasl2.so.3 and fails to load; the centos8 build needs only
    /// libc (docs/containers.md).
    /// </summary>
    [Theory]
    [InlineData("linux-x64", "centos8-librdkafka.so")]
    [InlineData("linux-arm64", "librdkafka.so")]
    public void A_librdkafka_build_that_Confluent_Kafka_loads_needs_only_libraries_of_the_chiseled_image(string rid, string loadable)
    {
        var native = LibrdkafkaNative(rid);

        Assert.All(ElfNeeded.Of(System.IO.Path.Combine(native, loadable)), soname => Assert.Contains(soname, ChiseledLibraries));
        var first = ElfNeeded.Of(System.IO.Path.Combine(native, "librdkafka.so"));
        Assert.Contains("libc.so.6", first);
        if (loadable != "librdkafka.so")
        {
            Assert.Equal(["libsasl2.so.3"], first.Except(ChiseledLibraries));
        }
    }

    /// <summary>
    /// The native folder of librdkafka.redist for <paramref name="rid"/>, as the build copies it beside the
    /// tests (Confluent.Kafka comes through KafkaDemo.ServiceDefaults): the pinned version, the same files
    /// a publish puts in the image.
    /// </summary>
    private static string LibrdkafkaNative(string rid)
    {
        var native = System.IO.Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native");
        Assert.True(Directory.Exists(native), $"librdkafka.redist's {rid} files are not beside the tests at {native}.");
        return native;
    }

    /// <summary>The project's folder and those of every project it references (transitively), each with the files it includes from outside its folder.</summary>
    private static List<(string Folder, List<string> Outside)> ProjectClosure(string project)
    {
        var result = new List<(string, List<string>)>();
        var pending = new Queue<string>([project]);
        while (pending.TryDequeue(out var folder))
        {
            if (result.Any(r => r.Item1 == folder))
            {
                continue;
            }

            var document = XDocument.Load(Path($"{folder}/{folder}.csproj"));
            var outside = new List<string>();
            foreach (var include in document.Descendants().Where(e => e.Name.LocalName != "PackageReference").Select(e => (string?)e.Attribute("Include")).OfType<string>())
            {
                var path = include.Replace('\\', '/');
                if (!path.StartsWith("../", StringComparison.Ordinal))
                {
                    continue;
                }

                if (path.EndsWith(".csproj", StringComparison.Ordinal))
                {
                    pending.Enqueue(path.Split('/')[1]);
                }
                else
                {
                    outside.Add(path["../".Length..]);
                }
            }

            result.Add((folder, outside));
        }

        return result;
    }

    /// <summary>A registry image with a full version tag (10.0.12-noble-chiseled), or a digest.</summary>
    [GeneratedRegex(@"^[a-z0-9.\-/]+(:\d+\.\d+\.\d+[a-z0-9.\-]*|@sha256:[0-9a-f]{64})$")]
    private static partial Regex PinnedImage();
}

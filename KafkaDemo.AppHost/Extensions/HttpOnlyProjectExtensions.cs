using System.Diagnostics.CodeAnalysis;

namespace KafkaDemo.AppHost.Extensions;

/// <summary>
/// Every service of the demo listens on plain HTTP on loopback. Aspire 13.6 nevertheless gives each
/// project a certificate callback (ProjectResourceBuilderExtensions.WithProjectDefaults calls
/// WithHttpsCertificateConfiguration for every AddProject), and DcpHost.EnsureDevelopmentCertificateTrustAsync
/// then counts the project as using TLS (DcpHost.ResourceUsesTls asks only whether that annotation
/// exists): on a machine without a trusted dev certificate it logs "No trusted Aspire development
/// certificate was found" and shows the dashboard's red banner. Declaring the project certificate-free
/// (an HttpsCertificateAnnotation with no certificate and no developer certificate) makes
/// ResourceUsesTls false, so the check never runs.
/// </summary>
public static class HttpOnlyProjectExtensions
{
    /// <summary>Adds a project that serves plain HTTP only and asks for no certificate, with the memory settings every service runs with.</summary>
    [SuppressMessage("Usage", "ASPIRECERTIFICATES001", Justification = "WithoutHttpsCertificate is experimental in Aspire 13.6; it is the supported way to say a project has no TLS.")]
    public static IResourceBuilder<ProjectResource> AddHttpOnlyProject<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new()
    {
        ArgumentNullException.ThrowIfNull(builder);
#pragma warning disable ASPIRECERTIFICATES001 // experimental in 13.6: see the summary
        return builder.AddProject<TProject>(name).WithoutHttpsCertificate().WithServiceMemorySettings();
#pragma warning restore ASPIRECERTIFICATES001
    }
}

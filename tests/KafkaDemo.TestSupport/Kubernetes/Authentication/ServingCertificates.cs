using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The fake's TLS: a cluster CA and the API server's serving certificate signed by it, made fresh for
/// each fake, as k3s makes its own (CA <c>k3s-server-ca@{unix time}</c>; the serving certificate names
/// 127.0.0.1, localhost and the <c>kubernetes.default.svc</c> names). The fake must speak HTTPS because
/// client-go reads a kubeconfig's credentials only for a TLS server (k8s.io/client-go
/// tools/clientcmd/client_config.go ClientConfig: "only try to read the auth information if we are
/// secure", <c>restclient.IsConfigTransportTLS</c>), so kubectl sends no token over plain HTTP.
/// The CA is what kubeconfigs name in <c>certificate-authority-data</c> and what every namespace's
/// <c>kube-root-ca.crt</c> holds, so a pod's in-cluster configuration verifies the server too.
/// </summary>
internal sealed class ServingCertificates : IDisposable
{
    private ServingCertificates(X509Certificate2 authority, X509Certificate2 server)
    {
        Authority = authority;
        Server = server;
        AuthorityPem = authority.ExportCertificatePem() + "\n";
    }

    /// <summary>The cluster CA (public part only).</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>The serving certificate with its private key.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>The CA as PEM, as kubeconfigs and <c>ca.crt</c> carry it.</summary>
    public string AuthorityPem { get; }

    /// <summary>A new CA and serving certificate, valid on the machine's clock (which TLS clients check), not the fake's.</summary>
    public static ServingCertificates Create()
    {
        var now = DateTimeOffset.UtcNow;
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest($"CN=k3s-server-ca@{now.ToUnixTimeSeconds()}", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.CrlSign, true));
        authorityRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authorityRequest.PublicKey, false));
        using var authority = authorityRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=kube-apiserver", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        foreach (var name in (string[])["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"])
        {
            names.AddDnsName(name);
        }

        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        using var issued = serverRequest.Create(authority, now.AddDays(-1), now.AddYears(1), RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(serverKey);

        // A round trip through PKCS#12 gives SslStream a certificate whose key it can always use.
        var server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return new ServingCertificates(X509CertificateLoader.LoadCertificate(authority.RawData), server);
    }

    public void Dispose()
    {
        Authority.Dispose();
        Server.Dispose();
    }
}

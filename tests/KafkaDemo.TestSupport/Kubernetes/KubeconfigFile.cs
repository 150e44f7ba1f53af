namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>A kubeconfig with one cluster (its HTTPS server and CA), one user (a bearer token) and one context.</summary>
internal static class KubeconfigFile
{
    public static string Text(Uri server, string contextName, string token, string authorityPem) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {contextName}
          cluster:
            server: {server.GetLeftPart(UriPartial.Authority)}
            certificate-authority-data: {Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(authorityPem))}
        users:
        - name: {contextName}
          user:
            token: {token}
        contexts:
        - name: {contextName}
          context:
            cluster: {contextName}
            user: {contextName}
            namespace: default
        current-context: {contextName}
        preferences: {"{}"}

        """;
}

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>A kubeconfig with one cluster, user and context, pointing at a server over plain HTTP.</summary>
internal static class KubeconfigFile
{
    public static string Text(Uri server, string contextName, string token) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {contextName}
          cluster:
            server: {server.GetLeftPart(UriPartial.Authority)}
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

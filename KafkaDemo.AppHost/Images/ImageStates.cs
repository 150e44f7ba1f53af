namespace KafkaDemo.AppHost.Images;

/// <summary>The states a resource shows while its image is made ready in the cluster.</summary>
public static class ImageStates
{
    public const string BuildingImage = "Building image";
    public const string ImportingImage = "Importing image";
    public const string PushingImage = "Pushing image";
}

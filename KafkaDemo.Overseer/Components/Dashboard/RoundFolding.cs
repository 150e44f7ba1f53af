namespace KafkaDemo.Overseer.Components.Dashboard;

/// <summary>
/// Which of the agent panel's rounds are open: the newest, unless the person chose otherwise, and
/// any they opened. A choice is kept until the round leaves the panel, so a refresh never opens or
/// closes a round under their eyes; a new round opens and the one before it closes, unless chosen.
/// </summary>
public sealed class RoundFolding
{
    private readonly Dictionary<int, bool> _chosen = [];

    /// <summary>Whether round <paramref name="round"/> is shown open while <paramref name="newest"/> is the newest.</summary>
    public bool IsOpen(int round, int newest) => _chosen.TryGetValue(round, out var open) ? open : round == newest;

    /// <summary>The person opened or closed it: that is its state from now on.</summary>
    public void Toggle(int round, int newest) => _chosen[round] = !IsOpen(round, newest);

    /// <summary>Forgets the choices for rounds no longer shown.</summary>
    public void Keep(IEnumerable<int> shown)
    {
        var keep = shown.ToHashSet();
        foreach (var round in _chosen.Keys.Where(r => !keep.Contains(r)).ToList())
        {
            _chosen.Remove(round);
        }
    }
}

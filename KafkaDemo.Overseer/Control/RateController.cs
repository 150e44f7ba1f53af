using System.Globalization;

namespace KafkaDemo.Overseer.Control;

/// <summary>
/// Moves the producers' total target rate against an end-to-end p99 SLO, one measurement window
/// at a time. Pure logic: no clock, no I/O; the windows carry their own time.
/// </summary>
/// <remarks>
/// <para>It remembers the highest rate recently within the SLO (<c>good</c>) and the lowest rate
/// recently above it (<c>bad</c>). Comfortably under the SLO it raises the rate: by bisection
/// towards bad when one is known, holding once the two are within
/// <see cref="ControllerSettings.ConvergedWithin"/>; otherwise multiplicatively, starting from
/// <see cref="ControllerSettings.ReprobeFactor"/> after a breach and doubling the step with each
/// comfortable probe, up to <see cref="ControllerSettings.IncreaseFactor"/>. In the band between
/// <c>Headroom × SLO</c> and the SLO it holds. Above the SLO it goes back to the last good rate,
/// or cuts multiplicatively. A producer that cannot keep up its schedule counts like a breach.</para>
/// <para>A breach is forgotten after <see cref="ControllerSettings.MemorySeconds"/>, or sooner when
/// the rate just below it stays comfortable for twice <see cref="ControllerSettings.SettleWindows"/>
/// windows; the limit is then re-probed with a small step, and each re-probe that breaches at once
/// doubles the wait before the next. Once settled the rate moves within a band of that step.
/// At the minimum rate a persisting breach is reported as <see cref="ControllerState.Unattainable"/>
/// and the rate stays put instead of thrashing.</para>
/// <para>The max sustainable rate is the highest rate held for <see cref="ControllerSettings.SettleWindows"/>
/// consecutive windows within the SLO, over the memory horizon; a breach at or below a rate
/// withdraws it at once.</para>
/// </remarks>
public sealed class RateController(ControllerSettings settings)
{
    private readonly List<(DateTimeOffset At, double Rate)> _sustained = [];
    private double? _goodRate;
    private DateTimeOffset _goodAt;
    private double? _badRate;
    private DateTimeOffset _badAt;
    private double _streakRate = double.NaN;
    private int _streak;
    private int _breachesAtMinimum;
    private int _comfortableAtLimit;
    private int _reprobeAfter;
    private bool _reprobing;
    private double _step = settings?.IncreaseFactor ?? 1.5;

    public ControllerSettings Settings { get; } = settings ?? throw new ArgumentNullException(nameof(settings));

    /// <summary>Comfortable windows just below a breach before it is re-probed; doubles after each failed re-probe.</summary>
    private int FirstReprobeAfter => 2 * Settings.SettleWindows;

    private int MaxReprobeAfter => Math.Max(FirstReprobeAfter, Settings.MemorySeconds / Settings.WindowSeconds);

    public ControllerState State { get; private set; } = settings.Enabled ? ControllerState.Measuring : ControllerState.Off;

    /// <summary>The highest rate recently held within the SLO for several windows; 0 when none yet.</summary>
    public double MaxSustainableRate => _sustained.Count == 0 ? 0 : _sustained.Max(s => s.Rate);

    /// <summary>The rate the last window completed a hold of (<see cref="ControllerSettings.SettleWindows"/> good windows in a row), or null.</summary>
    public double? HeldRate { get; private set; }

    /// <summary>The lowest rate recently seen breaching the SLO, if any.</summary>
    public double? BreachedRate => _badRate;

    /// <summary>Decides on one window. When the controller is off it only keeps the max sustainable rate up to date.</summary>
    public ControlDecision Decide(ControlWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        var now = window.EndedAt;
        HeldRate = null;
        Forget(now);
        var slo = Settings.SloP99Ms;
        var target = window.TargetRate;
        var withinSlo = window.P99Ms <= slo;
        var keepingUp = window.ActualRate >= 0.95 * target && window.PublishDelayP50Ms <= Settings.MaxPublishDelayMs;

        if (window.Messages == 0)
        {
            _streak = 0;
            return Hold(window, Settings.Enabled ? ControllerState.Measuring : ControllerState.Off, "no messages in the window (load paused or not started)");
        }

        TrackSustained(window, withinSlo && keepingUp);

        if (!withinSlo)
        {
            return Breach(window);
        }

        _breachesAtMinimum = 0;
        if (!keepingUp)
        {
            Remember(ref _badRate, ref _badAt, target, now, lower: true);
            _step = Settings.ReprobeFactor;
            _comfortableAtLimit = 0;
            var next = window.ActualRate < 0.95 * target ? window.ActualRate * 0.95 : target * 0.9;
            return Change(window, next, ControllerState.BackingOff, string.Create(CultureInfo.InvariantCulture,
                $"the producers are not keeping up: {window.ActualRate:F0}/s sent of {target:F0}/s, median publish delay {window.PublishDelayP50Ms:F1} ms"));
        }

        Remember(ref _goodRate, ref _goodAt, target, now, lower: false);
        if (_badRate is { } stale && stale <= target)
        {
            _badRate = null; // comfortable at a rate that once breached: capacity has grown
        }

        if (window.P99Ms >= Settings.Headroom * slo)
        {
            return Hold(window, ControllerState.Holding, string.Create(CultureInfo.InvariantCulture,
                $"p99 {window.P99Ms:F1} ms is within the SLO band ({Settings.Headroom * slo:F1} to {slo:F1} ms)"));
        }

        if (target >= Settings.MaxRate)
        {
            return Hold(window, ControllerState.Holding, string.Create(CultureInfo.InvariantCulture,
                $"p99 {window.P99Ms:F1} ms at the maximum rate {Settings.MaxRate:F0}/s"));
        }

        if (_badRate is { } bad)
        {
            if ((bad - target) / target > Settings.ConvergedWithin)
            {
                return Change(window, (target + bad) / 2, ControllerState.Probing, string.Create(CultureInfo.InvariantCulture,
                    $"p99 {window.P99Ms:F1} ms is comfortable; bisecting towards the breach at {bad:F0}/s"));
            }

            // Converged just below the breach. Staying comfortable here for a while means the
            // breach was noise or capacity has grown: forget it and probe again, gently. A
            // re-probe that breaches at once doubles the wait before the next one.
            if (_reprobeAfter == 0)
            {
                _reprobeAfter = FirstReprobeAfter;
            }

            if (++_comfortableAtLimit < _reprobeAfter)
            {
                return Hold(window, ControllerState.Holding, string.Create(CultureInfo.InvariantCulture,
                    $"p99 {window.P99Ms:F1} ms, converged just below the breach at {bad:F0}/s"));
            }

            _badRate = null;
            _comfortableAtLimit = 0;
            _reprobing = true;
            return Change(window, target * Settings.ReprobeFactor, ControllerState.Probing, string.Create(CultureInfo.InvariantCulture,
                $"p99 {window.P99Ms:F1} ms stayed comfortable below the old breach at {bad:F0}/s; re-probing"));
        }

        if (_reprobing)
        {
            _reprobing = false;
            _reprobeAfter = FirstReprobeAfter; // the re-probe held: capacity has grown
        }

        var sustainable = MaxSustainableRate;
        if (target < 0.9 * sustainable)
        {
            return Change(window, Math.Min(target * Settings.IncreaseFactor, sustainable), ControllerState.Probing, string.Create(CultureInfo.InvariantCulture,
                $"p99 {window.P99Ms:F1} ms is comfortable; climbing back towards the sustained {sustainable:F0}/s"));
        }

        // Each probe that stays comfortable doubles the next step, up to IncreaseFactor; a breach
        // starts again from ReprobeFactor.
        var step = _step;
        _step = Math.Min(Settings.IncreaseFactor, 1 + ((_step - 1) * 2));
        return Change(window, target * step, ControllerState.Probing, string.Create(CultureInfo.InvariantCulture,
            $"p99 {window.P99Ms:F1} ms is comfortable; raising by {(step - 1) * 100:F0} %"));
    }

    private ControlDecision Breach(ControlWindow window)
    {
        var target = window.TargetRate;
        var now = window.EndedAt;
        Remember(ref _badRate, ref _badAt, target, now, lower: true);
        _step = Settings.ReprobeFactor;
        _comfortableAtLimit = 0;
        if (_reprobing)
        {
            _reprobing = false;
            _reprobeAfter = Math.Min(MaxReprobeAfter, Math.Max(FirstReprobeAfter, _reprobeAfter) * 2);
        }

        if (_goodRate is { } good && good >= target)
        {
            _goodRate = null; // what was good is not any more
        }

        _sustained.RemoveAll(s => s.Rate >= target);
        var slo = Settings.SloP99Ms;
        if (target <= Settings.MinRate * 1.0001)
        {
            _breachesAtMinimum++;
            var state = _breachesAtMinimum >= Settings.SettleWindows ? ControllerState.Unattainable : ControllerState.BackingOff;
            return Hold(window, state, string.Create(CultureInfo.InvariantCulture,
                $"SLO unattainable: p99 {window.P99Ms:F1} ms exceeds {slo:F1} ms even at the minimum rate {Settings.MinRate:F0}/s"));
        }

        var cut = window.P99Ms > 2 * slo ? Settings.DecreaseFactor * Settings.DecreaseFactor : Settings.DecreaseFactor;
        var (next, how) = _goodRate is { } g && g < target
            ? (g, string.Create(CultureInfo.InvariantCulture, $"back to the last good rate {g:F0}/s"))
            : (target * cut, string.Create(CultureInfo.InvariantCulture, $"cutting by {(1 - cut) * 100:F0} %"));
        return Change(window, next, ControllerState.BackingOff, string.Create(CultureInfo.InvariantCulture,
            $"p99 {window.P99Ms:F1} ms breached the SLO of {slo:F1} ms at {target:F0}/s; {how}"));
    }

    private void TrackSustained(ControlWindow window, bool good)
    {
        if (!good)
        {
            _streak = 0;
            return;
        }

        if (Math.Abs(window.TargetRate - _streakRate) > 0.5)
        {
            _streakRate = window.TargetRate;
            _streak = 0;
        }

        if (++_streak >= Settings.SettleWindows)
        {
            _sustained.Add((window.EndedAt, window.TargetRate));
            HeldRate = window.TargetRate;
        }
    }

    private void Forget(DateTimeOffset now)
    {
        var horizon = now - TimeSpan.FromSeconds(Settings.MemorySeconds);
        if (_badRate is not null && _badAt < horizon)
        {
            _badRate = null;
        }

        if (_goodRate is not null && _goodAt < horizon)
        {
            _goodRate = null;
        }

        _sustained.RemoveAll(s => s.At < horizon);
    }

    private static void Remember(ref double? rate, ref DateTimeOffset at, double value, DateTimeOffset now, bool lower)
    {
        rate = rate is { } current ? (lower ? Math.Min(current, value) : Math.Max(current, value)) : value;
        at = now;
    }

    private ControlDecision Hold(ControlWindow window, ControllerState state, string reason)
    {
        State = Settings.Enabled ? state : ControllerState.Off;
        return new ControlDecision(window.EndedAt, State, window.TargetRate, window.TargetRate, reason, window);
    }

    private ControlDecision Change(ControlWindow window, double rate, ControllerState state, string reason)
    {
        if (!Settings.Enabled)
        {
            return Hold(window, ControllerState.Off, "controller off: " + reason);
        }

        var next = Math.Round(Math.Clamp(rate, Settings.MinRate, Settings.MaxRate));
        State = state;
        return new ControlDecision(window.EndedAt, state, window.TargetRate, next, reason, window);
    }
}

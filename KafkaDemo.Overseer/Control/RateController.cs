using System.Globalization;

namespace KafkaDemo.Overseer.Control;

/// <summary>
/// Moves the producers' total target rate against an end-to-end p99 SLO, one measurement window
/// at a time, as a load-test engineer would. Pure logic: no clock, no I/O; the windows carry their
/// own time, and every decision says why.
/// </summary>
/// <remarks>
/// <para><b>Ramp.</b> While nothing limits it, a comfortable window (p99 under
/// <c>Headroom × SLO</c>) multiplies the rate by the setpoint (the middle of the band between
/// <c>Headroom × SLO</c> and the SLO) over the p99, at most <see cref="ControllerSettings.IncreaseFactor"/>:
/// doubling while the latency is far below the SLO, smaller steps as it nears it.</para>
/// <para><b>Hold.</b> In the band it holds. It leaves a hold only after
/// <see cref="ControllerSettings.SettleWindows"/> comfortable windows in a row, and near the rate
/// last held in the band it rises by <see cref="ControllerSettings.ReprobeFactor"/> at most, and
/// (when the p99 is within 90 % of the band) never more than one such step above the confirmed
/// rate (<see cref="MaxSustainableRate"/>), so a lucky stretch is not chased upwards.
/// Symmetrically, as many windows in the top quarter of the band or over the SLO (counted until a
/// comfortable window or a new rate) ease the rate off by the same factor, so a hold keeps a margin;
/// and twice as many windows in a row in the bottom quarter of the band (or below it) leave the hold
/// as comfortable windows do, so a hold that entered the band low (a climb back after the capacity
/// returned) does not stay further below the edge than the band asks.</para>
/// <para><b>The low-rate floor.</b> Below a few thousand messages a second the p99 falls as the rate
/// rises (the clients' and brokers' threads sleep and wake between small batches), so a p99 in the
/// band there says nothing about capacity. <see cref="LatencySlope"/> compares the recent good windows
/// at a rate with those 15 % or more below it. A band with nothing to show the edge is near (a fresh
/// start, a cut that landed on the floor) is probed once 15 % above: near the edge the p99 rises or
/// the raise breaches, and the edge is marked there. A window whose p99 is no higher than at the
/// lower rates climbs as far below the SLO does, by one 15 % step where the edge was seen near.</para>
/// <para><b>A breach is a suspect first.</b> One window over the SLO (or whose producers fell
/// behind their schedule) changes nothing: a latency spike lasts a second or two, and a cut for each
/// would walk the rate down. A second in a row backs off by <see cref="ControllerSettings.BackOffFactor"/>
/// of the rate, or of the highest rate recently held if that is less deep (the one cut a transient
/// costs, which also drains what queued); when the next window is within the SLO it was a transient
/// and the rate goes back to one <see cref="ControllerSettings.ReprobeFactor"/> step below where it
/// was. Only a breach that persists for <see cref="ControllerSettings.ConfirmWindows"/> windows in a
/// row (a window whose p99 is clearly falling, or in which the consumers absorbed more than was
/// sent, a backlog draining, does not count) is a capacity change; then it cuts in proportion
/// to the overshoot that persisted (setpoint over the lowest p99 of the run), never below
/// <see cref="ControllerSettings.DecreaseFactor"/>, or to that factor of what the consumers absorbed
/// when a backlog was growing, and follows further breaches down at once. A rate that breaches
/// again right after coming back to it is a limit, not a transient (hysteresis).</para>
/// <para><b>A latency that does not follow the rate.</b> After any cut on a breach, a window at the
/// new rate whose p99 is still more than the band's width over the SLO and did not clearly fall by
/// as much as the rate did, while the consumers keep up and the producers keep their schedule,
/// holds the rate (<see cref="ControllerState.Holding"/>, and the reason says so) instead of
/// confirming a capacity change or following it down: cutting further would not lower it. A
/// growing backlog or producers falling behind end the hold and cut as before; a p99 within the
/// SLO ends it as a transient ends; after <see cref="ControllerSettings.MemorySeconds"/> one more
/// cut tests it again.</para>
/// <para><b>Limits and the bounded search.</b> A breach right after a raise is the raise's doing
/// when it is severe (p99 over twice the SLO, or the producers cannot keep up): the raised rate is
/// marked as a limit and the rate goes back to what the overshoot allows, never below the rate
/// before the raise. A mild one is a suspect for one window, as above. Comfortable windows then
/// bisect towards the limit and, once within
/// <see cref="ControllerSettings.ConvergedWithin"/> of it, re-test it: at once for a limit seen once,
/// after a wait that starts at twice <see cref="ControllerSettings.SettleWindows"/> windows and
/// doubles with each failed re-test for a limit seen again. A limit is forgotten when a window at
/// or above it is within the SLO, when the p99 just below it is under half the SLO (it was a
/// transient), or after <see cref="ControllerSettings.MemorySeconds"/>.</para>
/// <para>At the minimum rate a persisting breach is reported as <see cref="ControllerState.Unattainable"/>
/// and the rate stays put instead of thrashing.</para>
/// <para>The max sustainable rate is the highest rate confirmed (<see cref="ConfirmedRate"/>: the
/// lowest target of <see cref="RecordWindows"/> good windows in a row) over the memory horizon, or
/// the last one confirmed when none is that recent; only a confirmed capacity change at or below a
/// rate withdraws it, never a transient.</para>
/// </remarks>
public sealed class RateController(ControllerSettings settings)
{
    private readonly List<(DateTimeOffset At, double Rate)> _sustained = [];
    private readonly List<(DateTimeOffset At, double Rate)> _confirmed = [];
    private readonly Queue<double> _run = new();
    private bool _runSuspect;
    private double _lastConfirmed;
    private double? _lastHeld;
    private Limit? _limit;
    private (double Rate, DateTimeOffset At)? _near;
    private double? _raisedFrom;
    private double? _cameBackTo;
    private double? _resumeRate;
    private double? _retesting;
    private double? _suspectRaiseFrom;
    private int _breaches;
    private double _previousBreachP99;
    private double _runP99;
    private bool _cutConfirmed;
    private int _breachesAtMinimum;
    private int _converged;
    private int _reprobeAfter = 2 * (settings?.SettleWindows ?? 3);
    private int _comfortable;
    private double _bandRate = double.NaN;
    private int _bandWindows;
    private int _atTop;
    private double _streakRate = double.NaN;
    private int _streak;
    private double _lowestBreachRate = double.NaN;
    private double _lowestBreachP99 = double.PositiveInfinity;
    private Cut? _lastCut;
    private double _backlogSinceCut;
    private DateTimeOffset? _notFollowingSince;
    private (double To, double Limit)? _wentBackFrom;
    private readonly LatencySlope _slope = SlopeFor(settings);

    public ControllerSettings Settings { get; } = settings ?? throw new ArgumentNullException(nameof(settings));

    public ControllerState State { get; private set; } = settings.Enabled ? ControllerState.Measuring : ControllerState.Off;

    /// <summary>The highest rate recently confirmed (see <see cref="ConfirmedRate"/>); 0 when none yet.</summary>
    public double MaxSustainableRate => _confirmed.Count == 0 ? _lastConfirmed : _confirmed.Max(s => s.Rate);

    /// <summary>The rate the last window completed a hold of (<see cref="ControllerSettings.SettleWindows"/> good windows in a row), or null.</summary>
    public double? HeldRate { get; private set; }

    /// <summary>
    /// The rate the last window confirmed, or null: the lowest target of the last
    /// <see cref="RecordWindows"/> windows, all of them good and in a row. Only this raises the
    /// record: a few lucky windows at a rate the machine cannot keep do not.
    /// </summary>
    public double? ConfirmedRate { get; private set; }

    /// <summary>Good windows in a row that confirm a rate for the record: three times <see cref="ControllerSettings.SettleWindows"/> (about 50 s with the defaults).</summary>
    public int RecordWindows => 3 * Settings.SettleWindows;

    /// <summary>The lowest rate recently found over the limit, if any.</summary>
    public double? BreachedRate => _limit?.Rate;

    private int FirstReprobeAfter => 2 * Settings.SettleWindows;

    private int MaxReprobeAfter => Math.Max(FirstReprobeAfter, Settings.MemorySeconds / Settings.WindowSeconds);

    /// <summary>The p99 the controller aims for: the middle of the band.</summary>
    private double Setpoint => (1 + Settings.Headroom) / 2 * Settings.SloP99Ms;

    /// <summary>Above this p99 a hold is at the top of the band: a quarter of the band below the SLO.</summary>
    private double TopOfBand => Settings.SloP99Ms * (1 - ((1 - Settings.Headroom) / 4));

    /// <summary>Below this p99 a hold is at the bottom of the band: a quarter of the band above its floor.</summary>
    private double BottomOfBand => Settings.SloP99Ms * (Settings.Headroom + ((1 - Settings.Headroom) / 4));

    private bool HardLimit => _limit is { Seen: >= 2 };

    /// <summary>Decides on one window. When the controller is off it only keeps the max sustainable rate up to date.</summary>
    public ControlDecision Decide(ControlWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        var now = window.EndedAt;
        HeldRate = null;
        ConfirmedRate = null;
        Forget(now);
        var slo = Settings.SloP99Ms;
        var target = window.TargetRate;
        var withinSlo = window.P99Ms <= slo;
        var keepingUp = window.ActualRate >= 0.95 * target && window.PublishDelayP50Ms <= Settings.MaxPublishDelayMs;

        if (window.Messages == 0)
        {
            _streak = 0;
            _run.Clear();
            return Hold(window, Settings.Enabled ? ControllerState.Measuring : ControllerState.Off, "no messages in the window (load paused or not started)");
        }

        TrackSustained(window, withinSlo && keepingUp);
        if (_cameBackTo is { } back && (Math.Abs(target - back) > 0.5 || HeldRate is not null))
        {
            _cameBackTo = null; // moved on, or held it again: a later breach there is news
        }

        if (Math.Abs(target - _bandRate) > 0.5)
        {
            _bandRate = double.NaN;
            _bandWindows = 0;
            _atTop = 0;
        }

        var slope = Slope.Unknown;
        var edgeWasNear = _slope.IsNearEdge(target);
        if (withinSlo && keepingUp)
        {
            slope = _slope.Judge(now, target, window.P99Ms, inBand: window.P99Ms >= Settings.Headroom * slo);
        }
        else
        {
            _slope.Breached(now, target);
        }

        if (window.P99Ms >= Settings.Headroom * slo && withinSlo && slope != Slope.Ignores)
        {
            _near = (target, now);
        }

        var raisedFrom = _raisedFrom;
        _raisedFrom = null;
        return withinSlo && keepingUp ? Good(window, slope, edgeWasNear) : Breach(window, raisedFrom, withinSlo, keepingUp);
    }

    private ControlDecision Breach(ControlWindow window, double? raisedFrom, bool withinSlo, bool keepingUp)
    {
        var target = window.TargetRate;
        var now = window.EndedAt;
        var p99 = window.P99Ms;
        var slo = Settings.SloP99Ms;
        _converged = 0;
        _comfortable = 0;
        var atMinimum = target <= Settings.MinRate * 1.0001;
        if (!withinSlo)
        {
            // The lowest p99 over the SLO at this rate: what a cut from it is measured against.
            if (!(Math.Abs(target - _lowestBreachRate) <= 0.5)) // NaN: none yet
            {
                (_lowestBreachRate, _lowestBreachP99) = (target, p99);
            }

            _lowestBreachP99 = Math.Min(_lowestBreachP99, p99);
            if (!atMinimum && NotFollowingTheRate(window, keepingUp) is { } notFollowing)
            {
                return notFollowing;
            }
        }
        else if (_notFollowingSince is not null)
        {
            // Within the SLO but the producers fell behind: caused by the rate, so the hold is over.
            _notFollowingSince = null;
            _lastCut = null;
        }

        if (!withinSlo && !atMinimum && _previousBreachP99 > 0 && p99 < 0.9 * _previousBreachP99)
        {
            var previous = _previousBreachP99;
            _previousBreachP99 = p99;
            return Hold(window, ControllerState.BackingOff, F(
                $"p99 {p99:F1} ms is over the SLO of {slo:F1} ms but falling (from {previous:F1} ms): a backlog draining; waiting"));
        }

        if (!withinSlo && !atMinimum && _previousBreachP99 > 0 && window.ConsumedRate > 1.02 * window.ActualRate)
        {
            // The consumers absorbed more than was sent: what queued in a transient is draining, and
            // the capacity is above this rate. Not evidence of a capacity change.
            _previousBreachP99 = p99;
            return Hold(window, ControllerState.BackingOff, F(
                $"p99 {p99:F1} ms is over the SLO of {slo:F1} ms, but the consumers absorbed {window.ConsumedRate:F0}/s of {window.ActualRate:F0}/s sent: a backlog draining; waiting"));
        }

        if (_wentBackFrom is { } wentBack && Math.Abs(target - wentBack.To) <= 0.5 && _breaches == 0)
        {
            // A breach at the rate it went back to, not a backlog draining: the raise was not the
            // cause (a transient came with it, as a browser starting does), so what it marked goes.
            _slope.WithdrawEdge(target);
            if (_limit is { } marked && Math.Abs(marked.Rate - wentBack.Limit) <= 0.5 && marked.Seen < 2)
            {
                _limit = null;
            }
        }

        _wentBackFrom = null;
        _breaches++;
        _previousBreachP99 = Math.Max(p99, double.Epsilon);
        _runP99 = _breaches == 1 ? p99 : Math.Min(_runP99, p99);
        var what = withinSlo
            ? F($"the producers are not keeping up: {window.ActualRate:F0}/s sent of {target:F0}/s, median publish delay {window.PublishDelayP50Ms:F1} ms")
            : F($"p99 {p99:F1} ms breached the SLO of {slo:F1} ms at {target:F0}/s");

        if (atMinimum)
        {
            _breachesAtMinimum++;
            var state = _breachesAtMinimum >= Settings.SettleWindows ? ControllerState.Unattainable : ControllerState.BackingOff;
            return Hold(window, state, F(
                $"SLO unattainable: p99 {p99:F1} ms exceeds {slo:F1} ms even at the minimum rate {Settings.MinRate:F0}/s"));
        }

        _breachesAtMinimum = 0;
        if (_retesting is not null)
        {
            _retesting = null;
            _reprobeAfter = Math.Min(MaxReprobeAfter, _reprobeAfter * 2);
        }

        if (raisedFrom is { } from && _breaches == 1)
        {
            if (withinSlo || p99 > 2 * slo)
            {
                // Far over, or the producers cannot keep up: the raise found the limit. Note it and go back below it.
                return RaiseFoundTheLimit(window, from, what);
            }

            // Just over: a spike in the raise's first window looks the same, so wait one more.
            _suspectRaiseFrom = from;
            return Hold(window, ControllerState.BackingOff, F(
                $"{what}, just after raising from {from:F0}/s; one window is a suspect: waiting for the next"));
        }

        if (_suspectRaiseFrom is { } raised && _breaches == 2)
        {
            return RaiseFoundTheLimit(window, raised, what);
        }

        var confirmAfter = _cutConfirmed ? 1 : Settings.ConfirmWindows;
        if (_breaches >= confirmAfter)
        {
            // Persisted: the capacity is lower than this rate. Cut in proportion to the overshoot
            // that persisted, or below what the consumers absorbed when a backlog kept growing.
            Mark(target, now, !withinSlo);
            _sustained.RemoveAll(s => s.Rate >= target);
            _confirmed.RemoveAll(s => s.Rate >= target);
            _lastConfirmed = Math.Min(_lastConfirmed, _confirmed.Count == 0 ? 0 : _confirmed.Max(s => s.Rate));
            _lastHeld = null;
            _run.Clear();
            _runSuspect = false;
            _resumeRate = null;
            _breaches = 0;
            _cutConfirmed = true;
            var factor = CutFactor(window, withinSlo ? p99 : _runP99);
            var next = target * factor;
            var how = F($"cutting by {Percent(factor)} % in proportion to the overshoot");
            var consumed = window.ConsumedRate;
            if (!double.IsNaN(consumed) && consumed < 0.9 * window.ActualRate && Settings.DecreaseFactor * consumed < next)
            {
                next = Settings.DecreaseFactor * consumed;
                how = F($"the consumers absorbed only {consumed:F0}/s of {window.ActualRate:F0}/s sent; cutting to {Settings.DecreaseFactor * 100:F0} % of that to drain the backlog");
            }

            return CutOnBreach(window, next, ControllerState.BackingOff, F(
                $"{what}; the breach persisted for {confirmAfter} windows in a row, so the capacity has changed: {how}"));
        }

        if (_breaches == 1 && !_cutConfirmed)
        {
            _atTop++; // a lone breach at a hold is the top of the band too

            // One window over the SLO is a suspect, not evidence: a spike (a collection, a neighbour's
            // burst) lasts a second or two, and a cut for each would walk the rate down.
            return Hold(window, ControllerState.BackingOff, F(
                $"{what}; one window is a suspect: waiting for the next before backing off"));
        }

        if (_breaches == 2 && !_cutConfirmed)
        {
            if (_cameBackTo is not null)
            {
                // It breached again right after coming back to it: a limit, not a transient.
                Mark(target, now, !withinSlo, hard: true);
                _resumeRate = null;
                return CutOnBreach(window, target * Settings.BackOffFactor, ControllerState.BackingOff, F(
                    $"{what} again right after coming back to it: a limit, not a transient; backing off {Percent(Settings.BackOffFactor)} % and keeping below it"));
            }

            _resumeRate = target;
            _atTop = 0;

            // One cut for a transient, measured from the hold: after an ease-off it does not stack
            // below BackOffFactor of the highest rate recently held.
            var backOff = target * Settings.BackOffFactor;
            var held = _sustained.Count == 0 ? 0 : _sustained.Max(s => s.Rate);
            if (held * Settings.BackOffFactor < target)
            {
                backOff = Math.Max(backOff, held * Settings.BackOffFactor);
            }

            return CutOnBreach(window, backOff, ControllerState.BackingOff, F(
                $"{what}; backing off to {backOff:F0}/s until it clears (a transient) or persists for {Settings.ConfirmWindows} windows (a capacity change)"));
        }

        return Hold(window, ControllerState.BackingOff, F(
            $"{what}; {_breaches} of {confirmAfter} windows in a row: holding to tell a transient from a capacity change"));
    }

    private ControlDecision Good(ControlWindow window, Slope slope, bool edgeWasNear)
    {
        var target = window.TargetRate;
        var now = window.EndedAt;
        var p99 = window.P99Ms;
        var slo = Settings.SloP99Ms;
        _breaches = 0;
        _breachesAtMinimum = 0;
        _previousBreachP99 = 0;
        _wentBackFrom = null;
        _suspectRaiseFrom = null;
        _cutConfirmed = false;
        var notFollowingSince = _notFollowingSince;
        _lastCut = null;
        _notFollowingSince = null;
        _lowestBreachRate = double.NaN; // the breach, if any, is over
        if (_retesting is { } retested && target >= retested)
        {
            _reprobeAfter = FirstReprobeAfter; // the re-test held
        }

        _retesting = null;
        if (_limit is { } limit && (target >= limit.Rate || (limit.ByLatency && target >= 0.85 * limit.Rate && p99 < 0.5 * slo)))
        {
            _limit = null; // capacity has grown, or the breach there was a transient
        }

        if (_resumeRate is { } resume)
        {
            _resumeRate = null;
            var limitHere = HardLimit && resume >= _limit!.Rate * (1 - Settings.ConvergedWithin);
            var held = WasHeld(resume);
            if (resume > target && !limitHere && (held || p99 < Settings.Headroom * slo))
            {
                // Back to a hold point just below where it breached; the last step is probed again
                // only after the comfort lasts, so a hold at the edge does not breach at once again.
                var back = Math.Max(target, resume / Settings.ReprobeFactor);
                _cameBackTo = back;
                (_bandRate, _bandWindows) = held ? (back, Settings.SettleWindows) : (double.NaN, 0);
                return Change(window, back, ControllerState.Probing, notFollowingSince is { } since
                    ? F($"p99 {p99:F1} ms is back within the SLO after {(now - since).TotalSeconds:F0} s of a latency that did not follow the rate; back to {back:F0}/s, just below where it breached")
                    : F($"p99 {p99:F1} ms: the breach at {resume:F0}/s did not persist, a transient; back to {back:F0}/s, just below it"));
            }

            Mark(resume, now, byLatency: true);
        }

        if (slope == Slope.Ignores)
        {
            // This p99 is the low-rate floor, not the edge: the band says nothing here, and a limit
            // the latency marked within one doubling was marked on the floor too (a spike, the
            // warm-up, a browser starting); the climb re-tests it.
            _near = null;
            _atTop = 0;
            _bandWindows = 0;
            if (_limit is { ByLatency: true } floorLimit && target * Settings.IncreaseFactor >= floorLimit.Rate)
            {
                _limit = null;
            }
        }

        var lowInBand = p99 < BottomOfBand;
        if (slope != Slope.Ignores && p99 >= Settings.Headroom * slo)
        {
            _converged = 0;
            _bandRate = target;
            _bandWindows++;
            _atTop = p99 >= TopOfBand ? _atTop + 1 : _atTop; // reset only by a comfortable window or a new rate
            if (_atTop >= Settings.SettleWindows)
            {
                // Hysteresis, the mirror of leaving a hold: a hold at the very top of the band
                // breaches on noise alone, so ease off a little.
                _atTop = 0;
                return Change(window, target / Settings.ReprobeFactor, ControllerState.Holding, F(
                    $"p99 {p99:F1} ms has stayed within {(1 - (TopOfBand / slo)) * 100:F0} % of the SLO for {Settings.SettleWindows} windows; easing off {(1 - (1 / Settings.ReprobeFactor)) * 100:F0} % to keep a margin"));
            }

            if (_bandWindows >= 2 && slope != Slope.Follows && !EdgeKnownNear(target) && target < Settings.MaxRate)
            {
                // A p99 in the band with nothing to show the edge is near: a fresh start, or a cut
                // that landed on the low-rate floor, where the p99 is as high (see LatencySlope).
                // Holding there trusts a band that may say nothing. One step up tells them apart:
                // near the edge the p99 rises (then it holds there, or a breach marks the limit);
                // on the floor it does not, and the climb goes on.
                return Change(window, target * LatencySlope.Step, ControllerState.Probing, F(
                    $"p99 {p99:F1} ms is within the SLO band at {target:F0}/s, but nothing shows the latency rising with the rate here (at low rates the p99 is as high: the low-rate floor); probing {(LatencySlope.Step - 1) * 100:F0} % above to tell"));
            }

            // The mirror of the top, slower: a hold whose p99 stays in the bottom quarter of the band
            // for twice SettleWindows windows in a row (comfortable ones count too) is further below
            // the edge than the band asks, as when the knee has risen since the hold began; it may
            // leave it. Without this, a climb back that entered the band low stayed there.
            if (!lowInBand || ++_comfortable < 2 * Settings.SettleWindows)
            {
                _comfortable = lowInBand ? _comfortable : 0;
                return Hold(window, ControllerState.Holding, F(
                    $"p99 {p99:F1} ms is within the SLO band ({Settings.Headroom * slo:F1} to {slo:F1} ms); holding"));
            }
        }
        else
        {
            _atTop = 0;
            _comfortable++;
        }

        if (target >= Settings.MaxRate)
        {
            return Hold(window, ControllerState.Holding, F($"p99 {p99:F1} ms at the maximum rate {Settings.MaxRate:F0}/s"));
        }

        // Leave a hold only when the comfort lasts: one quiet window is noise.
        var holding = _bandWindows >= 2 && p99 >= 0.5 * slo;
        if (holding && _comfortable < Settings.SettleWindows)
        {
            return Hold(window, ControllerState.Holding, F(
                $"p99 {p99:F1} ms is comfortable ({_comfortable} of {Settings.SettleWindows} windows before leaving the hold at {target:F0}/s)"));
        }

        var factor = Math.Min(Settings.IncreaseFactor, Setpoint / Math.Max(p99, 0.001));
        var next = target * factor;
        var why = F($"p99 {p99:F1} ms is comfortable; raising towards a p99 of {Setpoint:F1} ms");
        if (slope == Slope.Ignores)
        {
            // The p99 says nothing about capacity here: climb as far below the SLO does, or by one
            // probe step near where the p99 was seen to follow the rate (a wandering capacity can make
            // the p99 at a lower rate as high for a while there).
            factor = edgeWasNear ? LatencySlope.Step : Settings.IncreaseFactor;
            next = target * factor;
            why = edgeWasNear
                ? F($"p99 {p99:F1} ms was as high at rates {(LatencySlope.Step - 1) * 100:F0} % and more below {target:F0}/s: the latency is not following the rate here, but the edge was seen near (a wandering capacity looks the same); one probe step")
                : F($"p99 {p99:F1} ms was as high at rates {(LatencySlope.Step - 1) * 100:F0} % and more below {target:F0}/s: the latency is not following the rate here (the low-rate floor), so it says nothing about capacity; raising");
        }
        if (p99 < 0.5 * slo)
        {
            _near = null; // far below the SLO: where the band was no longer matters
        }

        if (_near is { } near)
        {
            if (target >= near.Rate)
            {
                _near = (target, near.At);
            }

            if (target >= 0.9 * near.Rate)
            {
                next = Math.Min(next, target * Settings.ReprobeFactor);
                why = F($"p99 {p99:F1} ms is comfortable; probing gently above {near.Rate:F0}/s, where the p99 was last in the band");
                var confirmed = MaxSustainableRate;
                if (confirmed > 0 && p99 >= 0.9 * Settings.Headroom * slo && next > confirmed * Settings.ReprobeFactor)
                {
                    // Close to the band: one bounded step above the confirmed rate, and the next only
                    // once that step is confirmed itself, so a lucky stretch is not chased upwards.
                    next = Math.Max(target, confirmed * Settings.ReprobeFactor);
                    why = F($"p99 {p99:F1} ms is comfortable; at most {(Settings.ReprobeFactor - 1) * 100:F0} % above {confirmed:F0}/s, the rate confirmed over {RecordWindows} windows, until a higher one is");
                }
            }
            else if (next > near.Rate)
            {
                next = near.Rate;
                why = F($"p99 {p99:F1} ms is comfortable; climbing back to {near.Rate:F0}/s, where the p99 was last in the band");
            }
        }

        if (_limit is { } l)
        {
            if ((l.Rate - target) / target <= Settings.ConvergedWithin)
            {
                var wait = HardLimit ? _reprobeAfter : 1;
                if (++_converged < wait)
                {
                    _limit = l with { At = window.EndedAt }; // still in use: not forgotten while waiting to re-test it
                    return Hold(window, ControllerState.Holding, F(
                        $"p99 {p99:F1} ms, converged just below the limit at {l.Rate:F0}/s; re-testing it after {wait - _converged} more comfortable windows"));
                }

                _converged = 0;
                _retesting = l.Rate;
                return Change(window, Math.Max(l.Rate, target * 1.01), ControllerState.Probing, F(
                    $"p99 {p99:F1} ms stayed comfortable just below the limit at {l.Rate:F0}/s; re-testing it"));
            }

            if (next > (target + l.Rate) / 2)
            {
                next = (target + l.Rate) / 2;
                why = F($"p99 {p99:F1} ms is comfortable; bisecting towards the limit at {l.Rate:F0}/s");
            }
        }

        return next > target + 0.5
            ? Change(window, next, ControllerState.Probing, F($"{why}: +{(next / target - 1) * 100:F0} %"))
            : Hold(window, ControllerState.Holding, F($"p99 {p99:F1} ms is comfortable; holding"));
    }

    /// <summary>
    /// A cut decided on a breach: noted, so the windows at the new rate can tell whether the latency
    /// follows the rate (<see cref="NotFollowingTheRate"/>).
    /// </summary>
    private ControlDecision CutOnBreach(ControlWindow window, double rate, ControllerState state, string reason)
    {
        var decision = Change(window, rate, state, reason);
        _notFollowingSince = null;
        _backlogSinceCut = 0;
        _lastCut = decision.Changed && decision.NewRate < decision.PreviousRate
            ? new Cut(decision.PreviousRate, decision.NewRate, Math.Abs(_lowestBreachRate - decision.PreviousRate) <= 0.5 ? _lowestBreachP99 : double.PositiveInfinity)
            : null;
        return decision;
    }

    /// <summary>
    /// After a cut, a window over the SLO in which the latency plainly does not follow the rate holds
    /// the rate instead of cutting again: the consumers keep up (no backlog has grown since the cut),
    /// the producers keep their schedule, and the p99 is more than the band's width over the SLO and
    /// did not clearly fall by as much as the rate did (a queue's delay falls faster than its rate, so
    /// a latency that follows the rate falls at least as much; "clearly" is the 10 % that tells a
    /// falling p99 from noise, as for a backlog draining). Live (docs/controller.md, 2026-12-07 23:23) every
    /// message waited about 100 ms more for over a minute whatever the rate, and each window that
    /// breached halved the rate again, 68,580 to 2,408/s. The hold ends when the p99 is within the
    /// SLO (then as after a transient), when a backlog grows or the producers fall behind (both
    /// caused by the rate: cut as before), and after <see cref="ControllerSettings.MemorySeconds"/>,
    /// when the evidence is old and one more cut tests it again. Only after a cut of
    /// <see cref="TellingCut"/> or deeper. Null when the rule does not apply.
    /// </summary>
    /// <summary>
    /// The shallowest cut after which a p99 that did not fall says the latency is not following the
    /// rate: 20 % or more. A back-off of 7 % or a step back from a raise is no test: live
    /// (bench/controller-transient.sh, 2026-12-08 02:17) at 63,000 to 68,000/s the consumer stalled
    /// now and then near its limit (its p99 from the actual send 50 to 280 ms, its rate bursting to
    /// 77,000/s after each stall, the producers' publish latency 10 to 20 ms), a 7 % back-off did not
    /// lower the p99, and holding there kept the p99 over the SLO for two minutes.
    /// </summary>
    private const double TellingCut = 0.8;

    private ControlDecision? NotFollowingTheRate(ControlWindow window, bool keepingUp)
    {
        if (_lastCut is not { } cut || Math.Abs(window.TargetRate - cut.To) > 0.5 || double.IsNaN(window.ConsumedRate)
            || cut.To > TellingCut * cut.From)
        {
            _notFollowingSince = null;
            return null;
        }

        // Sent minus absorbed, summed since the cut: what the backlog grew by. Summed rather than per
        // window, so a window's edges (a message sent in one and absorbed in the next) cancel out.
        _backlogSinceCut += (window.ActualRate - window.ConsumedRate) * Settings.WindowSeconds;
        var consumersKeepUp = _backlogSinceCut <= 0.02 * window.ActualRate * Settings.WindowSeconds;
        var p99 = window.P99Ms;
        var slo = Settings.SloP99Ms;
        var now = window.EndedAt;
        var rateFell = cut.To / cut.From;
        var plainlyOver = p99 > slo * (2 - Settings.Headroom);
        var holding = _notFollowingSince is not null;
        var expired = _notFollowingSince is { } since && now - since >= TimeSpan.FromSeconds(Settings.MemorySeconds);
        var didNotFall = p99 > 0.9 * rateFell * cut.P99Before; // 0.9: clearly, as for a falling p99 above
        if (expired || !keepingUp || !consumersKeepUp || !(holding || (plainlyOver && didNotFall)))
        {
            if (holding)
            {
                _lastCut = null; // the hold has ended: what follows is judged as before, until the next cut
            }

            _notFollowingSince = null;
            return null;
        }

        _previousBreachP99 = p99;
        var kept = F($"the consumers keep up ({window.ConsumedRate:F0}/s absorbed of {window.ActualRate:F0}/s sent)");
        if (_notFollowingSince is { } started)
        {
            return Hold(window, ControllerState.Holding, F(
                $"p99 {p99:F1} ms is still over the SLO of {slo:F1} ms; cutting {cut.From:F0} → {cut.To:F0}/s did not lower it and {kept}: the latency is not following the rate; holding ({(now - started).TotalSeconds:F0} s so far)"));
        }

        _notFollowingSince = now;
        return Hold(window, ControllerState.Holding, F(
            $"p99 {p99:F1} ms did not fall after cutting {cut.From:F0} → {cut.To:F0}/s (it was {cut.P99Before:F1} ms) and {kept}: the latency is not following the rate; holding"));
    }

    /// <summary>
    /// Whether something recent shows the edge is near this rate: the p99 seen following the rate near
    /// it, or a limit just above it that was seen twice. A limit seen once is no such evidence: on the
    /// low-rate floor one spike or the warm-up breaches too.
    /// </summary>
    private bool EdgeKnownNear(double target) =>
        _slope.IsNearEdge(target) || (HardLimit && _limit!.Rate <= target * LatencySlope.Step * 1.05);

    private static LatencySlope SlopeFor(ControllerSettings? settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new LatencySlope(settings.ReprobeFactor, 4 * settings.SettleWindows, TimeSpan.FromSeconds(2 * settings.MemorySeconds));
    }

    private ControlDecision RaiseFoundTheLimit(ControlWindow window, double from, string what)
    {
        var target = window.TargetRate;
        _suspectRaiseFrom = null;
        _resumeRate = null;
        _breaches = 0;
        Mark(target, window.EndedAt, window.P99Ms > Settings.SloP99Ms);
        _slope.MarkEdge(window.EndedAt, from);
        var back = Math.Max(from, target * CutFactor(window, window.P99Ms));
        _wentBackFrom = (back, target);
        return CutOnBreach(window, back, ControllerState.BackingOff, F(
            $"{what}, just after raising from {from:F0}/s: the limit is below {target:F0}/s; back to {back:F0}/s"));
    }

    /// <summary>How far to cut for this window: the setpoint over the p99, or what the producers managed; between <see cref="ControllerSettings.DecreaseFactor"/> and 0.95.</summary>
    private double CutFactor(ControlWindow window, double p99)
    {
        var factor = p99 > Settings.SloP99Ms
            ? Setpoint / p99
            : 0.95 * window.ActualRate / window.TargetRate;
        return Math.Clamp(factor, Settings.DecreaseFactor, 0.95);
    }

    /// <summary>Notes a rate found over the limit; seen again (within <see cref="ControllerSettings.ConvergedWithin"/>) it becomes a firm limit.</summary>
    private void Mark(double rate, DateTimeOffset now, bool byLatency, bool hard = false)
    {
        var close = 1 - Settings.ConvergedWithin;
        _limit = _limit switch
        {
            { } l when rate >= l.Rate * close && rate <= l.Rate / close => new Limit(Math.Min(rate, l.Rate), l.Seen + 1, now, l.ByLatency && byLatency),
            { } l when rate > l.Rate => l with { At = now },
            _ => new Limit(rate, 1, now, byLatency),
        };
        if (hard && _limit.Seen < 2)
        {
            _limit = _limit with { Seen = 2 };
        }
    }

    private bool WasHeld(double rate) => _sustained.Exists(s => Math.Abs(s.Rate - rate) < 0.5);

    private void TrackSustained(ControlWindow window, bool good)
    {
        if (!good)
        {
            // A lone breach is a suspect, for the record as for the rate: it does not end the run
            // (nor count in it); a second in a row, or a cut, does.
            _streak = 0;
            if (_runSuspect)
            {
                _run.Clear();
            }

            _runSuspect = true;
            return;
        }

        _runSuspect = false;
        if (_run.Count > 0 && window.TargetRate > _run.Last() * Settings.ReprobeFactor * 1.001)
        {
            _run.Clear(); // a ramp step, bigger than a probe: the run starts at the new rate
        }

        _run.Enqueue(window.TargetRate);
        if (_run.Count > RecordWindows)
        {
            _run.Dequeue();
        }

        if (_run.Count == RecordWindows)
        {
            ConfirmedRate = _run.Min();
            _confirmed.Add((window.EndedAt, ConfirmedRate.Value));
            _lastConfirmed = ConfirmedRate.Value; // outlives the memory: only a capacity change withdraws it
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
            _lastHeld = window.TargetRate;
        }
    }

    private void Forget(DateTimeOffset now)
    {
        var horizon = now - TimeSpan.FromSeconds(Settings.MemorySeconds);
        if (_limit is { } limit && limit.At < horizon)
        {
            _limit = null;
        }

        if (_near is { } near && near.At < horizon)
        {
            _near = null;
        }

        _sustained.RemoveAll(s => s.At < horizon);
        _confirmed.RemoveAll(s => s.At < horizon);
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
        _comfortable = 0;
        if (next > window.TargetRate + 0.5)
        {
            _raisedFrom = window.TargetRate;
        }

        return new ControlDecision(window.EndedAt, state, window.TargetRate, next, reason, window);
    }

    private static string Percent(double factor) => ((1 - factor) * 100).ToString("F0", CultureInfo.InvariantCulture);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A cut decided on a breach: from, to, and the lowest p99 over the SLO at the rate it cut from (infinite when none was).</summary>
    private sealed record Cut(double From, double To, double P99Before);

    /// <summary>A rate found over the limit: where, how many times, when last, and whether by the p99 (or by producers falling behind).</summary>
    private sealed record Limit(double Rate, int Seen, DateTimeOffset At, bool ByLatency);
}

/**
 * When the daemon passes: a quiet time after file events, the drift interval with jitter, and the back-off
 * after failed passes, each stepped by hand so that the loop knows the delay before it waits.
 */
import { Clock, Duration, Effect, Ref, Schedule } from "effect"

/** Quiet time after the last file event before a pass: editors and `git pull` write in several steps. */
export const debounce: Duration.Duration = Duration.millis(400)

/**
 * The least time between two passes started by `POST /api/refresh`: the endpoint takes no token, so a flood of
 * requests must not become a flood of passes (each reads the whole tenant). The first refresh passes at once.
 */
export const refreshSpacing: Duration.Duration = Duration.seconds(5)

/** The next drift pass: `interval`, give or take 10%, so that daemons started together drift apart. */
export const driftSchedule = (interval: Duration.DurationInput): Schedule.Schedule<Duration.Duration> =>
  Schedule.spaced(interval).pipe(Schedule.jitteredWith({ min: 0.9, max: 1.1 }), Schedule.delays)

/** After failed passes: 1 s, doubling, give or take 20%, never more than 5 minutes. */
export const backoffSchedule: Schedule.Schedule<Duration.Duration> = Schedule.exponential("1 second").pipe(
  Schedule.jittered,
  Schedule.union(Schedule.spaced("5 minutes")),
  Schedule.delays
)

/**
 * Steps a schedule of delays by hand: the loop needs each delay before it waits, to race it against triggers
 * and to show when the next pass is due.
 */
export const stepper = (schedule: Schedule.Schedule<Duration.Duration>) =>
  Effect.map(Ref.make<unknown>(schedule.initial), (state) => ({
    next: Effect.gen(function*() {
      const [next, delay] = yield* schedule.step(yield* Clock.currentTimeMillis, undefined, yield* Ref.get(state))
      yield* Ref.set(state, next)
      // Whole milliseconds, so that the time shown for the next pass is the time it runs.
      return Duration.millis(Math.round(Duration.toMillis(delay)))
    }),
    reset: Ref.set(state, schedule.initial)
  }))

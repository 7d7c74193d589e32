import { ClientMetrics } from "@c42/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric, MetricBoundaries, Option } from "effect"
import * as DaemonMetrics from "../../src/DaemonMetrics.js"
import { parsePrometheus } from "../support/daemon-fixtures.js"

/** Renders only the metrics of one test, by name prefix, from the default registry. */
const exposition = (prefix: string) =>
  Effect.map(
    Metric.snapshot,
    (pairs) => DaemonMetrics.render(pairs.filter((pair) => pair.metricKey.name.startsWith(prefix)))
  )

describe("DaemonMetrics.render", () => {
  it.effect("writes counters and gauges with HELP and TYPE lines, families and series sorted", () =>
    Effect.gen(function*() {
      const counter = Metric.counter("t1_requests_total", { description: "Requests\nby kind \\ status" })
      yield* Metric.incrementBy(Metric.tagged(counter, "kind", "b"), 2)
      yield* Metric.increment(Metric.tagged(counter, "kind", "a"))
      yield* Metric.set(Metric.gauge("t1_depth"), 7.5)
      expect(yield* exposition("t1_")).toBe(
        [
          "# TYPE t1_depth gauge",
          "t1_depth 7.5",
          "# HELP t1_requests_total Requests\\nby kind \\\\ status",
          "# TYPE t1_requests_total counter",
          "t1_requests_total{kind=\"a\"} 1",
          "t1_requests_total{kind=\"b\"} 2",
          ""
        ].join("\n")
      )
    }))

  it.effect("escapes label values and cleans names Prometheus would reject", () =>
    Effect.gen(function*() {
      const counter = Metric.counter("t2.odd-name").pipe(Metric.tagged("path", "a\"b\\c\nd"), Metric.tagged("2nd", "x"))
      yield* Metric.increment(counter)
      const text = yield* exposition("t2")
      expect(text).toContain("t2_odd_name{_2nd=\"x\",path=\"a\\\"b\\\\c\\nd\"} 1")
      const family = parsePrometheus(text).get("t2_odd_name")!
      expect(family.samples[0]!.labels).toEqual({ _2nd: "x", path: "a\"b\\c\nd" })
    }))

  it.effect("writes histograms as cumulative buckets up to +Inf, with _sum and _count", () =>
    Effect.gen(function*() {
      const histogram = Metric.histogram("t3_seconds", MetricBoundaries.fromIterable([0.1, 1, 10]), "How long")
      for (const value of [0.05, 0.5, 0.7, 5, 50]) yield* Metric.update(Metric.tagged(histogram, "op", "x"), value)
      const text = yield* exposition("t3_")
      expect(text).toBe(
        [
          "# HELP t3_seconds How long",
          "# TYPE t3_seconds histogram",
          "t3_seconds_bucket{op=\"x\",le=\"0.1\"} 1",
          "t3_seconds_bucket{op=\"x\",le=\"1\"} 3",
          "t3_seconds_bucket{op=\"x\",le=\"10\"} 4",
          "t3_seconds_bucket{op=\"x\",le=\"+Inf\"} 5",
          "t3_seconds_sum{op=\"x\"} 56.25",
          "t3_seconds_count{op=\"x\"} 5",
          ""
        ].join("\n")
      )
      expect(parsePrometheus(text).get("t3_seconds")!.type).toBe("histogram")
    }))

  it.effect("writes summaries with quantiles and frequencies as counters by key", () =>
    Effect.gen(function*() {
      const summary = Metric.summary({
        name: "t4_latency",
        maxAge: "1 minute",
        maxSize: 10,
        error: 0.01,
        quantiles: [0.5, 0.9]
      })
      for (const value of [1, 2, 3]) yield* Metric.update(summary, value)
      yield* Metric.update(Metric.frequency("t4_outcomes"), "ok")
      yield* Metric.update(Metric.frequency("t4_outcomes"), "ok")
      yield* Metric.update(Metric.frequency("t4_outcomes"), "refused")
      const families = parsePrometheus(yield* exposition("t4_"))
      const state = yield* Metric.value(summary)
      expect(families.get("t4_latency")!.type).toBe("summary")
      expect(families.get("t4_latency")!.samples.map((s) => [s.name, s.labels["quantile"], s.value])).toEqual([
        ["t4_latency", "0.5", Option.getOrThrow(state.quantiles[0]![1])],
        ["t4_latency", "0.9", Option.getOrThrow(state.quantiles[1]![1])],
        ["t4_latency_sum", undefined, 6],
        ["t4_latency_count", undefined, 3]
      ])
      expect(families.get("t4_outcomes")!.samples.map((s) => [s.labels["key"], s.value])).toEqual([["ok", 2], [
        "refused",
        1
      ]])
    }))

  it.effect("exposes the daemon's series from the start and the Code42 client's once they count", () =>
    Effect.gen(function*() {
      yield* DaemonMetrics.register
      const okGets = Metric.tagged(Metric.tagged(ClientMetrics.requestsTotal, "method", "GET"), "status", "200")
      yield* Metric.increment(okGets)
      const families = parsePrometheus(yield* DaemonMetrics.prometheus)
      expect(families.get("orgsync_passes_total")!.samples.map((s) => [s.labels["result"], s.value])).toEqual([
        ["converged", 0],
        ["error", 0],
        ["pending", 0]
      ])
      const gauges = ["orgsync_pending_changes", "orgsync_drift_changes", "orgsync_desired_valid"]
      for (const name of gauges) {
        expect(families.get(name)).toMatchObject({ type: "gauge", samples: [{ value: 0 }] })
      }
      // One series per kind of conflict, and no total beside them: `sum(orgsync_conflicts)` counts each once.
      const conflicts = families.get("orgsync_conflicts")!
      expect(conflicts.type).toBe("gauge")
      expect(conflicts.samples.map((s) => [s.labels["kind"], s.value])).toEqual(
        [
          "ambiguous",
          "contested",
          "duplicate",
          "parent-blocked",
          "parent-deactivated",
          "parent-differs",
          "pin-missing",
          "pin-outside-root",
          "protected",
          "refused-by-code42",
          "signed-in-org",
          "unsupported"
        ].map((kind) => [kind, 0])
      )
      expect(families.get("orgsync_last_success_timestamp_seconds")!.type).toBe("gauge")
      expect(families.get("code42_client_requests_total")!.samples).toEqual([
        { name: "code42_client_requests_total", labels: { method: "GET", status: "200" }, value: 1 }
      ])
    }))
})

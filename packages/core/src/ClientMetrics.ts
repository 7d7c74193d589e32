/**
 * What the Code42 client measures about its traffic, as Effect metrics (exported in Prometheus form by the
 * daemon). Every HTTP exchange counts, sign-ins included. The names are the client's own (`code42_client_*`),
 * whatever application uses it.
 */
import { Metric, MetricBoundaries } from "effect"

/** Every HTTP exchange, tagged `method` (the HTTP verb) and `status` (the code, or "error" without an answer). */
export const requestsTotal = Metric.counter("code42_client_requests_total", {
  description: "Code42 API requests by HTTP method and status",
  incremental: true
})

/** Attempts beyond the first of a call, after a transient failure. */
export const retriesTotal = Metric.counter("code42_client_retries_total", {
  description: "Code42 API requests retried after a transient failure",
  incremental: true
})

/** Requests that had to wait for the shared token bucket or a server's Retry-After pause. */
export const rateLimitWaitsTotal = Metric.counter("code42_client_rate_limit_waits_total", {
  description: "Code42 API requests that waited on the rate limiter or a Retry-After pause",
  incremental: true
})

/** The rate the client allows itself now, in requests per second: the configured one, or lower after a 429. */
export const rateLimit = Metric.gauge("code42_client_rate_limit", {
  description: "Code42 API requests per second the client allows itself now (lowered after a 429)"
})

/** How long each HTTP exchange took, answer body included, tagged `method`. */
export const requestDuration = Metric.histogram(
  "code42_client_request_duration_seconds",
  MetricBoundaries.exponential({ start: 0.005, factor: 2, count: 12 }),
  "Duration of Code42 API requests in seconds"
)

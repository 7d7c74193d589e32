/**
 * What the daemon shows of the git branch it follows: the commit in force, "synced to <sha>", a failed fetch
 * that keeps the last good commit and makes the daemon unready, a commit that does not validate, and the metrics.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric, Option } from "effect"
import * as DaemonMetrics from "../../src/DaemonMetrics.js"
import type { Checkout, Commit } from "../../src/GitSource.js"
import { GitError } from "../../src/GitSource.js"
import * as GitSync from "../../src/GitSync.js"

const settings = { repo: "https://ada:s3cret@git.example.com/acme/orgs.git", branch: "main", path: "orgs.yaml" }

const commit = (sha: string, subject = `commit ${sha}`): Commit => ({
  sha: sha.padEnd(40, "0"),
  author: "Ada Admin <ada@example.com>",
  subject
})

const checkout = (c: Commit, at: string): Checkout => ({
  commit: c,
  desired: `/state.db.git/trees/${c.sha}/orgs.yaml`,
  fetchedAt: new Date(at),
  inRepo: (file) => file.replace(`/state.db.git/trees/${c.sha}/`, "")
})

const unreachable = new GitError({ reason: "Unreachable", message: "cannot fetch the repository: connection refused" })

const steps = (...transitions: ReadonlyArray<(state: GitSync.GitState) => GitSync.GitState>) =>
  transitions.reduce((state, transition) => transition(state), GitSync.initial(settings))

describe("GitSync", () => {
  it("is synced to the fetched commit once its files are in force", () => {
    const a = commit("1a2b3c4d")
    const state = steps(GitSync.fetched(checkout(a, "2026-11-30T04:00:00Z")), GitSync.accepted(a))
    expect(GitSync.summary(state)).toBe("synced to 1a2b3c4")
    expect(GitSync.notReady(state)).toEqual(Option.none())
    expect(GitSync.view(state)).toEqual({
      repo: "https://ada:***@git.example.com/acme/orgs.git",
      branch: "main",
      path: "orgs.yaml",
      sync: "synced",
      summary: "synced to 1a2b3c4",
      sha: a.sha,
      author: "Ada Admin <ada@example.com>",
      subject: "commit 1a2b3c4d",
      fetchedSha: a.sha,
      fetchedAt: "2026-11-30T04:00:00.000Z",
      error: null,
      fetchFailures: 0
    })
  })

  it("keeps the last good commit in force when a fetch fails, and is not ready until one succeeds", () => {
    const a = commit("1a2b3c4d")
    const failing = steps(
      GitSync.fetched(checkout(a, "2026-11-30T04:00:00Z")),
      GitSync.accepted(a),
      GitSync.fetchFailed(unreachable),
      GitSync.fetchFailed(unreachable)
    )
    expect(GitSync.sync(failing)).toBe("fetch failed")
    expect(GitSync.view(failing)).toMatchObject({ sha: a.sha, fetchFailures: 2, error: unreachable.message })
    expect(GitSync.notReady(failing)).toEqual(Option.some(
      "cannot follow git: cannot fetch the repository: connection refused; the last good commit 1a2b3c4 stays in force"
    ))
    const again = GitSync.fetched(checkout(a, "2026-11-30T04:05:00Z"))(failing)
    expect(GitSync.summary(again)).toBe("synced to 1a2b3c4")
    expect(GitSync.notReady(again)).toEqual(Option.none())
  })

  it("names a fetched commit that does not validate, and the one that stays in force", () => {
    const a = commit("1a2b3c4d")
    const b = commit("5e6f7a8b")
    const state = steps(
      GitSync.fetched(checkout(a, "2026-11-30T04:00:00Z")),
      GitSync.accepted(a),
      GitSync.fetched(checkout(b, "2026-11-30T04:01:00Z"))
    )
    expect(GitSync.sync(state)).toBe("invalid")
    expect(GitSync.summary(state)).toBe("5e6f7a8 does not validate; the last good commit 1a2b3c4 stays in force")
    expect(GitSync.view(state)).toMatchObject({ sha: a.sha, fetchedSha: b.sha })
    const first = GitSync.fetchFailed(unreachable)(GitSync.initial(settings))
    expect(GitSync.summary(first)).toBe(
      "fetch failed: cannot fetch the repository: connection refused; no commit is in force yet"
    )
  })

  it("names files as the repository has them", () => {
    const a = commit("1a2b3c4d")
    const issues = GitSync.relabelIssues(
      [{ file: `/state.db.git/trees/${a.sha}/orgs.yaml`, line: 3, column: 5, message: "unknown key" }],
      checkout(a, "2026-11-30T04:00:00Z")
    )
    expect(issues).toEqual([{ file: "orgs.yaml", line: 3, column: 5, message: "unknown key" }])
  })

  it.effect("shows the commit in force as an info series, and counts failed fetches", () =>
    Effect.gen(function*() {
      const a = commit("1a2b3c4d")
      const b = commit("5e6f7a8b")
      const first = steps(GitSync.fetched(checkout(a, "2026-11-30T04:00:00Z")), GitSync.accepted(a))
      yield* GitSync.recordMetrics(GitSync.initial(settings), first)
      const second = steps(GitSync.fetched(checkout(b, "2026-11-30T04:01:00Z")), GitSync.accepted(b))
      yield* GitSync.recordMetrics(first, second)
      const failures = yield* Metric.value(GitSync.fetchFailures)
      yield* GitSync.recordMetrics(second, GitSync.fetchFailed(unreachable)(second))
      const text = DaemonMetrics.render(
        (yield* Metric.snapshot).filter((pair) => pair.metricKey.name.startsWith("orgsync_git_"))
      )
      expect(text).toContain(`orgsync_git_commit_info{branch="main",sha="${b.sha}"} 1\n`)
      expect(text).not.toContain(a.sha)
      expect(text).toContain(`orgsync_git_fetch_failures_total ${failures.count + 1}\n`)
      expect(text).toContain(`orgsync_git_last_fetch_timestamp_seconds ${Date.parse("2026-11-30T04:01:00Z") / 1000}\n`)
    }))
})

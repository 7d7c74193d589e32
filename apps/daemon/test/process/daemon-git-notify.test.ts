/**
 * What `orgsync run --git-repo --notify` tells a loopback receiver about the branch it follows: a head commit
 * refused (its files do not validate, a symbolic link, the desired file deleted) or a fetch that fails is told
 * once, naming the commit or the error and the last good commit that stays in force, and the recovery once a
 * good commit is in force again; what was told before a restart is not told again after it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import { workspace } from "../support/cli.js"
import { passOnce, type RunningDaemon, startDaemon, until } from "../support/daemon.js"
import { gitHttp } from "../support/git-http.js"
import { gitRemote } from "../support/git-repo.js"
import { start } from "../support/simulator.js"
import { receiver } from "../support/webhook.js"

const orgs = "orgs:\n  - name: Engineering\n  - name: Sales\n"
const invalid = "orgs:\n  - name: Engineering\n    status: gone\n"

const short = (sha: string) => sha.slice(0, 7)

/** A daemon following `repo`'s `main` at orgs.yaml with `state`, telling `hook`, passing only when asked. */
const follow = (repo: string, state: string, sim: { url: string }, hook: { url: string }) =>
  startDaemon([
    "--git-repo", repo, "--git-path", "orgs.yaml", "--state", state, "--url", sim.url, "--interval", "1h",
    "--notify", hook.url
  ])

const synced = (daemon: RunningDaemon, sha: string) =>
  until(
    () =>
      fetch(`${daemon.url}/api/status`).then((r) => r.json() as Promise<{ git: { sync: string; sha: string | null } }>)
        .then((s) => s.git.sync === "synced" && s.git.sha === sha),
    30_000,
    daemon.output
  )

/** A simulator, a webhook receiver, and a remote whose `main` holds `orgs` at its first commit (`good`). */
const started = Effect.gen(function*() {
  const sim = yield* start()
  const hook = yield* receiver()
  const remote = yield* gitRemote({ "orgs.yaml": orgs }, "first orgs")
  /** The events the receiver was told, in order. */
  const events = () => hook.received().map((r) => r.body.event)
  return { sim, hook, remote, good: remote.head(), events }
})

describe("orgsync run following git: notifications", () => {
  it.scopedLive("a refused head is told once per commit, naming it and the last good commit in force, and the recovery", () =>
    Effect.gen(function*() {
      const { events, good, hook, remote, sim } = yield* started
      const daemon = yield* follow(remote.bare, workspace("").state, sim, hook)
      yield* synced(daemon, good)
      const told = (sha: string) => hook.received().filter((r) => JSON.stringify(r.body.details).includes(sha))

      const bad = remote.push({ "orgs.yaml": invalid }, "status gone")
      yield* passOnce(daemon)
      yield* until(() => told(bad).length > 0, 30_000, daemon.output)
      const [notice] = told(bad)
      expect(notice!.body.event).toBe("commit-refused")
      expect(notice!.body.text).toContain(`commit ${short(bad)} (status gone) on main is refused`)
      expect(notice!.body.text).toContain("do not validate")
      expect(notice!.body.text).toContain(`the last good commit ${short(good)} (first orgs) stays in force`)
      expect(notice!.body.details).toMatchObject({ commit: { sha: bad, subject: "status gone" }, inForce: { sha: good } })

      // Still the head at the next pass: not told again.
      yield* passOnce(daemon)
      expect(told(bad)).toHaveLength(1)

      const link = remote.pushLink("orgs.yaml", "/etc/passwd", "a link")
      yield* passOnce(daemon)
      yield* until(() => told(link).length > 0, 30_000, daemon.output)
      expect(told(link)[0]!.body.text).toContain("is a symbolic link")

      const deleted = remote.push({ "orgs.yaml": null }, "no orgs")
      yield* passOnce(daemon)
      yield* until(() => told(deleted).length > 0, 30_000, daemon.output)
      expect(told(deleted)[0]!.body.text).toContain(`commit ${short(deleted)} (no orgs) on main is refused`)
      expect(told(deleted)[0]!.body.text).toContain(`the last good commit ${short(good)} (first orgs) stays in force`)

      const fixed = remote.push({ "orgs.yaml": orgs }, "orgs again")
      yield* passOnce(daemon)
      yield* until(() => events().includes("recovered"), 30_000, daemon.output)
      expect(events()).toEqual(["commit-refused", "commit-refused", "commit-refused", "recovered"])
      expect(hook.received()[3]!.body.text).toContain(`commit ${short(fixed)} (orgs again) is in force`)
    }), 180_000)

  it.scopedLive("a failing fetch is told once per streak, without the URL's password, and the recovery", () =>
    Effect.gen(function*() {
      const { events, good, hook, remote, sim } = yield* started
      const served = yield* gitHttp(remote.bare, "ada", "tok-s3cret")
      const daemon = yield* follow(served.url.replace("http://", "http://ada:tok-s3cret@"), workspace("").state, sim, hook)
      yield* synced(daemon, good)

      fs.renameSync(remote.bare, `${remote.bare}.away`)
      yield* passOnce(daemon)
      yield* until(() => events().includes("fetch-failed"), 30_000, daemon.output)
      yield* passOnce(daemon)
      expect(events()).toEqual(["fetch-failed"])
      const [notice] = hook.received()
      expect(notice!.body.text).toContain("cannot fetch http://ada:***@127.0.0.1")
      expect(notice!.body.text).toContain(`the last good commit ${short(good)} (first orgs) stays in force`)
      expect(JSON.stringify(notice!.body)).not.toContain("tok-s3cret")

      fs.renameSync(`${remote.bare}.away`, remote.bare)
      yield* passOnce(daemon)
      yield* until(() => events().includes("recovered"), 30_000, daemon.output)
      expect(events()).toEqual(["fetch-failed", "recovered"])
      expect(hook.received()[1]!.body.text).toContain(`commit ${short(good)} (first orgs) is in force`)
    }), 180_000)

  it.scopedLive("after a restart with a head that does not validate, the warning names the last good commit in force; told once across restarts", () =>
    Effect.gen(function*() {
      const { events, good, hook, remote, sim } = yield* started
      const state = workspace("").state
      const first = yield* follow(remote.bare, state, sim, hook)
      yield* synced(first, good)
      first.process.kill("SIGTERM")
      expect(yield* Effect.promise(() => first.exited)).toBe(0)

      const bad = remote.push({ "orgs.yaml": invalid }, "status gone")
      for (const restart of [1, 2]) {
        const daemon = yield* follow(remote.bare, state, sim, hook)
        yield* until(() => daemon.output().includes("do not validate"), 30_000, daemon.output)
        yield* passOnce(daemon)
        const warning = daemon.output().split("\n").find((line) => line.includes("do not validate"))!
        expect(warning, daemon.output()).toContain(`the last good commit ${short(good)} stays in force`)
        expect(daemon.output()).not.toContain("no good state is known yet")
        if (restart === 1) {
          yield* until(() => events().length > 0, 30_000, daemon.output)
          expect(events()).toEqual(["commit-refused"])
          expect(hook.received()[0]!.body.details).toMatchObject({ commit: { sha: bad }, inForce: { sha: good } })
        } else {
          // Told in order: a refusal told again would come before the recovery.
          remote.push({ "orgs.yaml": orgs }, "orgs again")
          yield* passOnce(daemon)
          yield* until(() => events().includes("recovered"), 30_000, daemon.output)
          expect(events()).toEqual(["commit-refused", "recovered"])
        }
        daemon.process.kill("SIGTERM")
        expect(yield* Effect.promise(() => daemon.exited)).toBe(0)
      }

      // A head without the desired file: the warning names the last good commit too.
      const fixed = remote.head()
      remote.push({ "orgs.yaml": null }, "no orgs")
      const daemon = yield* follow(remote.bare, state, sim, hook)
      yield* until(() => daemon.output().includes("no file or folder orgs.yaml"), 30_000, daemon.output)
      const warning = daemon.output().split("\n").find((line) => line.includes("no file or folder orgs.yaml"))!
      expect(warning, daemon.output()).toContain(`the last good commit ${short(fixed)} stays in force`)
    }), 180_000)
})

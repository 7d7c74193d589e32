/**
 * `orgsync run --git-repo` as a process, against the simulator and a bare repository on the local disk: it
 * reconciles the files at the fetched commit, fetches on `POST /api/refresh` and on SIGHUP, shows the commit
 * on /api/status, the page, the metrics and the run history, keeps the last good commit in force when a commit
 * does not validate or the remote cannot be reached, and never shows a URL's password.
 */
import { describe, expect, it } from "@effect/vitest"
import type { Simulator } from "@c42/simulator"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { startDaemon, until } from "../support/daemon.js"
import { gitHttp } from "../support/git-http.js"
import { authorLine, gitRemote } from "../support/git-repo.js"
import { spawnOrgsync } from "../support/orgsync-process.js"
import type * as DaemonStatus from "../../src/DaemonStatus.js"
import { byHand, named, start } from "../support/simulator.js"

type Status = DaemonStatus.StatusView

const orgs = "orgs:\n  - name: Engineering\n  - name: Sales\n"

/** The simulator's creates, in either API family. */
const creates = (sim: { requests: () => ReadonlyArray<{ method: string; path: string }> }) =>
  sim.requests().filter((r) => r.method === "POST" && /\/(orgs|org)\/?$/i.test(r.path))

/** A daemon following `remote`'s `main` at `gitPath`, passing only when asked (the interval is an hour). */
const follow = (bare: string, gitPath: string, sim: Simulator.Handle) =>
  Effect.gen(function*() {
    const ws = workspace("")
    const daemon = yield* startDaemon([
      "--git-repo",
      bare,
      "--git-path",
      gitPath,
      "--state",
      ws.state,
      "--url",
      sim.url,
      "--interval",
      "1h"
    ])
    const status = () => fetch(`${daemon.url}/api/status`).then((r) => r.json() as Promise<Status>)
    const refresh = () => Effect.promise(() => fetch(`${daemon.url}/api/refresh`, { method: "POST" }))
    const ready = () => fetch(`${daemon.url}/readyz`).then((r) => r.status)
    /** Blocks the org `name` by hand, asks for a pass and waits until it unblocks it: the drift healed. */
    const healsDrift = (name: string) =>
      Effect.gen(function*() {
        yield* byHand(sim, "PUT", `/api/v1/OrgBlock/${named(sim, name)[0]!.orgId}`)
        yield* refresh()
        yield* until(() => named(sim, name)[0]!.blocked === false, 30_000, daemon.output)
      })
    return { ws, daemon, status, refresh, ready, healsDrift }
  })

/** The simulator and a daemon following a new remote whose one commit (`subject`) holds `orgs`, once ready. */
const followingInSync = (subject?: string) =>
  Effect.gen(function*() {
    const sim = yield* start()
    const remote = yield* gitRemote({ "orgs.yaml": orgs }, subject)
    const following = yield* follow(remote.bare, "orgs.yaml", sim)
    const first = remote.head()
    yield* until(() => following.ready().then((code) => code === 200), 30_000, following.daemon.output)
    return { ...following, sim, remote, first }
  })

describe("orgsync run following git", () => {
  it.scopedLive("syncs at start, applies a pushed commit on POST /api/refresh and shows its sha everywhere", () =>
    Effect.gen(function*() {
      const { daemon, first, refresh, remote, sim, status, ws } = yield* followingInSync("Engineering and Sales")
      const synced = yield* Effect.promise(status)
      expect(synced.git).toMatchObject({
        sync: "synced",
        summary: `synced to ${first.slice(0, 7)}`,
        sha: first,
        author: authorLine,
        subject: "Engineering and Sales"
      })
      expect(synced.desired.files).toEqual(["orgs.yaml"])

      const second = remote.push({ "orgs.yaml": `${orgs}  - name: Support\n` }, "Support, for the help desk")
      const answer = yield* refresh()
      expect(answer.status).toBe(202)
      yield* until(() => named(sim, "Support").length === 1, 30_000, daemon.output)
      yield* until(() => status().then((s) => s.git?.sha === second), 30_000, daemon.output)
      const after = yield* Effect.promise(status)
      expect(after.git?.summary).toBe(`synced to ${second.slice(0, 7)}`)
      expect(Date.parse(after.git!.fetchedAt!)).toBeGreaterThan(Date.parse(synced.git!.fetchedAt!))
      // The run that applied it, in the history with its commit.
      yield* until(
        () => status().then((s) => s.runs.some((run) => run.commit?.sha === second)),
        30_000,
        daemon.output
      )
      const runs = (yield* Effect.promise(status)).runs
      expect(runs.find((run) => run.commit?.sha === second)?.commit).toEqual({
        sha: second,
        author: authorLine,
        subject: "Support, for the help desk"
      })
      expect(runs.some((run) => run.commit?.sha === first)).toBe(true)

      const page = yield* Effect.promise(() => fetch(`${daemon.url}/`).then((r) => r.text()))
      expect(page.replace(/<[^>]+>/g, "")).toContain(`synced to ${second.slice(0, 7)}`)
      const metrics = yield* Effect.promise(() => fetch(`${daemon.url}/metrics`).then((r) => r.text()))
      expect(metrics).toContain(`orgsync_git_commit_info{branch="main",sha="${second}"} 1\n`)
      expect(metrics).not.toContain(`sha="${first}"`)
      expect(metrics).toMatch(/^orgsync_git_fetch_failures_total 0$/m)

      const history = yield* orgsync(["status", "--state", ws.state])
      expect(history.stdout).toContain(second.slice(0, 7))
    }), 120_000)

  it.scopedLive("follows git with the state database given relative to the folder it runs in, and with the default one", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const remote = yield* gitRemote({ "orgs.yaml": orgs }, "Engineering and Sales")
      for (const state of [["--state", "state.db"], []]) {
        const ws = workspace("")
        const daemon = yield* startDaemon(
          ["--git-repo", remote.bare, "--git-path", "orgs.yaml", ...state, "--url", sim.url, "--interval", "1h"],
          credentials,
          ws.dir
        )
        const status = () => fetch(`${daemon.url}/api/status`).then((r) => r.json() as Promise<Status>)
        yield* until(() => status().then((s) => s.git?.sync === "synced"), 30_000, daemon.output)
        expect((yield* Effect.promise(status)).git).toMatchObject({ sha: remote.head(), error: null })
        const database = state.length === 0 ? path.join(ws.dir, ".orgsync", "state.db") : path.join(ws.dir, "state.db")
        expect(fs.existsSync(database)).toBe(true)
      }
      expect(named(sim, "Sales")).toHaveLength(1)
    }), 120_000)

  it.scopedLive("a pushed commit that does not validate is not applied: the last good commit stays in force", () =>
    Effect.gen(function*() {
      const { daemon, first: good, healsDrift, refresh, ready, remote, sim, status } = yield* followingInSync()

      sim.clearRequests()
      const bad = remote.push(
        { "orgs.yaml": "orgs:\n  - name: Engineering\n  - name: Sales\n    status: gone\n  - name: Legal\n" },
        "a typo"
      )
      yield* refresh()
      yield* until(() => ready().then((code) => code === 503), 30_000, daemon.output)
      const rejected = yield* Effect.promise(status)
      expect(rejected.git).toMatchObject({
        sync: "invalid",
        sha: good,
        fetchedSha: bad,
        summary: `${bad.slice(0, 7)} does not validate; the last good commit ${good.slice(0, 7)} stays in force`
      })
      expect(rejected.desired.valid).toBe(false)
      expect(rejected.desired.issues[0]).toMatchObject({ file: "orgs.yaml", line: 4, column: 13 })
      expect(daemon.output()).toContain("orgs.yaml:4:13:")
      // Drift is still healed, from the last good commit; nothing is written from the bad one.
      yield* healsDrift("Sales")
      expect(named(sim, "Legal")).toHaveLength(0)
      expect(creates(sim)).toEqual([])

      const fixed = remote.push({ "orgs.yaml": `${orgs}  - name: Legal\n` }, "Legal, spelled right")
      yield* refresh()
      yield* until(() => named(sim, "Legal").length === 1, 30_000, daemon.output)
      yield* until(() => ready().then((code) => code === 200), 30_000, daemon.output)
      expect((yield* Effect.promise(status)).git?.sha).toBe(fixed)
    }), 120_000)

  it.scopedLive("an unreachable remote keeps the last good commit in force and makes the daemon unready until it is back", () =>
    Effect.gen(function*() {
      const { daemon, first: good, healsDrift, refresh, ready, remote, sim, status } = yield* followingInSync()

      const away = `${remote.bare}.away`
      fs.renameSync(remote.bare, away)
      yield* refresh()
      yield* until(() => ready().then((code) => code === 503), 30_000, daemon.output)
      const readyz = yield* Effect.promise(() => fetch(`${daemon.url}/readyz`).then((r) => r.text()))
      expect(readyz).toContain(`not ready: cannot follow git: cannot fetch ${remote.bare} (branch main): `)
      expect(readyz).toContain(`the last good commit ${good.slice(0, 7)} stays in force`)
      const down = yield* Effect.promise(status)
      expect(down.git).toMatchObject({ sync: "fetch failed", sha: good })
      const metrics = yield* Effect.promise(() => fetch(`${daemon.url}/metrics`).then((r) => r.text()))
      expect(metrics).toMatch(/^orgsync_git_fetch_failures_total [1-9]\d*$/m)
      // The last good state is still reconciled: drift is healed meanwhile.
      yield* healsDrift("Engineering")

      fs.renameSync(away, remote.bare)
      const next = remote.push({ "orgs.yaml": `${orgs}  - name: Support\n` }, "Support")
      yield* refresh()
      yield* until(() => ready().then((code) => code === 200), 30_000, daemon.output)
      yield* until(() => named(sim, "Support").length === 1, 30_000, daemon.output)
      expect((yield* Effect.promise(status)).git).toMatchObject({ sync: "synced", sha: next, error: null })
    }), 120_000)

  it.scopedLive("SIGHUP fetches and passes; a folder whose files anchor each other with parent: loads", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const remote = yield* gitRemote({
        "org/base.yaml": orgs,
        "org/teams/platform.yaml": "parent: Engineering\norgs:\n  - name: Platform\n"
      })
      const { daemon, ready, status } = yield* follow(remote.bare, "org", sim)
      yield* until(() => ready().then((code) => code === 200), 30_000, daemon.output)
      expect((yield* Effect.promise(status)).desired.files).toEqual(["org/base.yaml", "org/teams/platform.yaml"])

      const next = remote.push({ "org/teams/platform.yaml": "parent: Engineering\norgs:\n  - name: Platform\n  - name: Mobile\n" }, "Mobile")
      daemon.process.kill("SIGHUP")
      yield* until(() => named(sim, "Mobile").length === 1, 30_000, daemon.output)
      yield* until(() => status().then((s) => s.git?.sha === next), 30_000, daemon.output)
    }), 120_000)

  it.scopedLive("never shows the password of a repository URL, in the log, the status or the state database", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const { daemon, ready, status, ws } = yield* follow("https://ada:s3cret-pw@127.0.0.1:1/orgs.git", "orgs.yaml", sim)
      yield* until(() => status().then((s) => s.git?.error !== null), 30_000, daemon.output)
      expect(yield* Effect.promise(ready)).toBe(503)
      const shown = yield* Effect.promise(status)
      expect(shown.git?.repo).toBe("https://ada:***@127.0.0.1:1/orgs.git")
      expect(JSON.stringify(shown)).not.toContain("s3cret-pw")
      const page = yield* Effect.promise(() => fetch(`${daemon.url}/`).then((r) => r.text()))
      expect(page).not.toContain("s3cret-pw")
      expect(daemon.output()).toContain("https://ada:***@127.0.0.1:1/orgs.git")
      expect(daemon.output()).not.toContain("s3cret-pw")
      for (const file of fs.readdirSync(path.dirname(ws.state))) {
        const full = path.join(path.dirname(ws.state), file)
        if (fs.statSync(full).isFile()) expect(fs.readFileSync(full, "latin1"), file).not.toContain("s3cret-pw")
      }
    }), 120_000)

  it.scopedLive("fetches a private repository with git's own credential helper", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const remote = yield* gitRemote({ "orgs.yaml": orgs })
      const served = yield* gitHttp(remote.bare, "ada", "tok-s3cret")
      const ws = workspace("")
      const store = path.join(ws.dir, "git-credentials")
      fs.writeFileSync(store, `${served.url.replace("http://", "http://ada:tok-s3cret@")}\n`, { mode: 0o600 })
      const daemon = yield* spawnOrgsync(
        ["run", "--git-repo", served.url, "--git-path", "orgs.yaml", "--state", ws.state, "--listen", "127.0.0.1:0"],
        {
          ...credentials,
          CODE42_URL: sim.url,
          GIT_CONFIG_COUNT: "1",
          GIT_CONFIG_KEY_0: "credential.helper",
          GIT_CONFIG_VALUE_0: `store --file=${store}`
        },
        { deadlineMillis: 110_000 }
      )
      const [, url] = yield* daemon.waitFor(/status page on (http:\/\/[\d.:]+)\//)
      const status = () => fetch(`${url}/api/status`).then((r) => r.json() as Promise<Status>)
      yield* until(() => status().then((s) => s.git?.sync === "synced"), 30_000, daemon.stdout)
      expect((yield* Effect.promise(status)).git).toMatchObject({ sha: remote.head(), repo: served.url, error: null })
      // git asked without credentials first, was refused, and then used the helper's.
      expect(served.refused()).toBeGreaterThan(0)
      expect(daemon.stdout()).not.toContain("tok-s3cret")
    }), 120_000)

  it.scoped("without git on PATH, says so and exits 1", () =>
    Effect.gen(function*() {
      const ws = workspace(orgs)
      const run = yield* orgsync(
        ["run", "--git-repo", ws.dir, "--state", ws.state, "--url", "http://127.0.0.1:9", "--listen", "127.0.0.1:0"],
        { PATH: path.join(ws.dir, "no-such-folder") }
      )
      expect(run.code).toBe(1)
      expect(run.stderr).toContain("git is not installed or not on PATH")
    }), 120_000)
})

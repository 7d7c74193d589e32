/**
 * Settings a person can get wrong, each refused (or warned of) in one clear sentence naming the setting.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { spawnOrgsync, stackTrace } from "../support/orgsync-process.js"
import { start } from "../support/simulator.js"

const desiredYaml = "orgs:\n  - name: Engineering\n"

describe.concurrent("settings", () => {
  it.scoped("an interval below 5 seconds is refused", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      const run = yield* orgsync(["run", "--desired", ws.desired, "--state", ws.state, "--url", "http://127.0.0.1:9", "--interval", "1s"])
      expect(run.code).toBe(1)
      expect(run.stderr).toContain("--interval: expected a duration of at least 5s (so that Code42 is not polled without pause)")
      expect(run.stderr).toContain("got 1s")
    }), 120_000)

  it.scoped("api: v2 and rateLimit: \"20\" in a settings file are refused, naming the file and the setting", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      const config = path.join(ws.dir, "orgsync.yaml")
      fs.writeFileSync(config, "api: v2\nrateLimit: \"20\"\n")
      const run = yield* orgsync(["plan", "--config", config, "--desired", ws.desired, "--state", ws.state, "--url", "http://127.0.0.1:9"])
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(`orgsync: settings file ${config}: api: expected v1, v3 or gateway, got v2`)
      expect(run.stderr).toContain(`settings file ${config}: rateLimit: expected a number above 0, got "20"`)
      expect(run.stderr).not.toContain("Invalid data")
    }), 120_000)

  it.scoped("ORGSYNC_API=v2 and --rate-limit abc are refused, naming the variable and the flag", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      const common = ["plan", "--desired", ws.desired, "--state", ws.state, "--url", "http://127.0.0.1:9"]
      const env = yield* orgsync(common, { ORGSYNC_API: "v2" })
      expect(env.code).toBe(1)
      expect(env.stderr.trim()).toBe("orgsync: ORGSYNC_API: expected v1, v3 or gateway, got v2")
      const flag = yield* orgsync([...common, "--rate-limit", "abc"])
      expect(flag.code).toBe(1)
      expect(flag.stderr.trim()).toBe("orgsync: --rate-limit: expected a number above 0, got abc")
    }), 120_000)

  it.scoped("the environment beats the settings file: CODE42_API=v1 over api: v3, with a warning naming ORGSYNC_API", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Research\n")
      const config = path.join(ws.dir, "orgsync.yaml")
      fs.writeFileSync(config, `url: ${sim.url}\napi: v3\n`)
      // A plan with no state database (none at the default path of the workspace).
      const run = yield* orgsync(["plan", "--config", config, "--desired", ws.desired], { CODE42_API: "v1" }, credentials, ws.dir)
      expect(run.code).toBe(2)
      expect(run.stderr).toContain("CODE42_API is deprecated: set ORGSYNC_API instead")
      const listed = sim.requests().filter((request) => request.method === "GET" && /\/orgs?\b/i.test(request.path))
      expect(listed.length).toBeGreaterThan(0)
      expect(listed.every((request) => !request.path.startsWith("/api/v3/"))).toBe(true)
    }), 120_000)

  it.scoped("a missing CODE42_URL is one human sentence", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      const run = yield* orgsync(["plan", "--desired", ws.desired, "--state", ws.state])
      expect(run.code).toBe(1)
      expect(run.stderr.trim()).toBe(
        "orgsync: no Code42 URL: pass --url, set CODE42_URL, or set url in the settings file"
      )
      expect(run.stderr).not.toMatch(stackTrace)
    }), 120_000)

  it.scoped("a Code42 URL that is not an http(s) address with a host is refused before any call, naming where it came from", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      const common = ["plan", "--desired", ws.desired, "--state", ws.state]
      const expected = "expected an address starting with https:// (or http://), e.g. https://console.us.code42.com"
      const env = yield* orgsync(common, { CODE42_URL: "notaurl" })
      expect(env.code).toBe(1)
      expect(env.stderr.trim()).toBe(`orgsync: CODE42_URL: ${expected}, got notaurl`)
      const flag = yield* orgsync([...common, "--url", "https://"])
      expect(flag.stderr.trim()).toBe(`orgsync: --url: ${expected}, got https://`)
      const config = path.join(ws.dir, "orgsync.yaml")
      fs.writeFileSync(config, "url: console.us.code42.com\n")
      const file = yield* orgsync([...common, "--config", config])
      expect(file.stderr.trim()).toBe(`orgsync: settings file ${config}: url: ${expected}, got console.us.code42.com`)
      expect([flag.code, file.code]).toEqual([1, 1])
    }), 120_000)

  it.scoped("a malformed CODE42_URL or url: leaves validate and status alone, which never reach Code42", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      const validate = yield* orgsync(["validate", "--desired", ws.desired], { CODE42_URL: "notaurl" })
      expect(validate.stderr).toBe("")
      expect(validate.code).toBe(0)
      const config = path.join(ws.dir, "orgsync.yaml")
      fs.writeFileSync(config, "url: notaurl\n")
      // No state database at the default path of the workspace: status shows an empty one.
      const status = yield* orgsync(["status", "--config", config, "--desired", ws.desired], {}, credentials, ws.dir)
      expect(status.stderr).toBe("")
      expect(status.stdout).toContain("Runs: none yet")
      expect(status.code).toBe(0)
    }), 120_000)

  it.scoped("plain http to a host that is not loopback is refused naming where the URL came from and the switch that allows it", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      const common = ["plan", "--desired", ws.desired, "--state", ws.state]
      const env = yield* orgsync(common, { CODE42_URL: "http://10.1.2.3", ORGSYNC_ALLOW_INSECURE_HTTP: "false" })
      expect(env.code).toBe(1)
      expect(env.stderr.trim()).toBe(
        "orgsync: CODE42_URL: plain http to 10.1.2.3, which is not loopback, would send the credentials unencrypted: " +
          "use https, or allow it with --allow-insecure-http (ORGSYNC_ALLOW_INSECURE_HTTP=true), got http://10.1.2.3"
      )
      const flag = yield* orgsync([...common, "--url", "http://example.com"])
      expect(flag.code).toBe(1)
      expect(flag.stderr.trim()).toMatch(/^orgsync: --url: plain http to example\.com, .* --allow-insecure-http/)
    }), 120_000)

  it.scoped("a Code42 URL with a user name and password, a query or a fragment is refused without echoing the password", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      const common = ["plan", "--desired", ws.desired, "--state", ws.state]
      const userinfo = yield* orgsync(common, { CODE42_URL: "http://admin:hunter2@127.0.0.1:9" })
      expect(userinfo.code).toBe(1)
      expect(userinfo.stderr.trim()).toBe(
        "orgsync: CODE42_URL: expected an address without a user name or password: set CODE42_USERNAME with " +
          "CODE42_PASSWORD or CODE42_PASSWORD_FILE (or CODE42_CLIENT_ID with CODE42_CLIENT_SECRET or " +
          "CODE42_CLIENT_SECRET_FILE) instead"
      )
      expect(userinfo.stderr).not.toContain("hunter2")
      const config = path.join(ws.dir, "orgsync.yaml")
      fs.writeFileSync(config, "url: https://console.example.com/?x=1\n")
      const query = yield* orgsync([...common, "--config", config])
      expect(query.code).toBe(1)
      expect(query.stderr.trim()).toBe(
        `orgsync: settings file ${config}: url: expected an address without a query (?) or fragment (#), ` +
          "e.g. https://console.us.code42.com, got https://console.example.com/?x=1"
      )
      const fragment = yield* orgsync([...common, "--url", "https://console.example.com/#frag"])
      expect(fragment.stderr.trim()).toMatch(/^orgsync: --url: expected an address without a query \(\?\) or fragment/)
    }), 120_000)

  it.scoped("localhost. (with the root dot) is loopback: plain http to it goes on to sign in", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      const run = yield* orgsync(["plan", "--desired", ws.desired, "--url", "http://localhost.:9"], {
        ORGSYNC_ALLOW_INSECURE_HTTP: "false"
      }, credentials, ws.dir)
      expect(run.code).toBe(1)
      expect(run.stderr).not.toContain("loopback")
      expect(run.stderr).toContain("signIn")
    }), 120_000)

  it.scopedLive("--listen on an address that is not loopback logs that the page is unauthenticated", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const child = yield* spawnOrgsync(
        ["run", "--desired", ws.desired, "--state", ws.state, "--listen", "0.0.0.0:0"],
        { ...credentials, CODE42_URL: sim.url },
        { deadlineMillis: 100_000 }
      )
      const [line] = yield* child.waitFor(/.*unauthenticated.*/)
      expect(line).toContain("level=WARN")
      expect(line).toContain("org names")
      child.kill("SIGTERM")
      expect((yield* child.exited).code).toBe(0)
    }), 120_000)

  it.scoped("bare orgsync prints its usage and exits 2", () =>
    Effect.gen(function*() {
      const run = yield* orgsync([])
      expect(run.code).toBe(2)
      expect(run.stdout).toContain("Usage: orgsync <command>")
      expect(run.stdout).toContain("validate")
    }), 120_000)
})

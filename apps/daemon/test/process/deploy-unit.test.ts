/**
 * deploy/orgsync.service: systemd accepts it (`systemd-analyze verify`), its hardening rates at most 2.0 on
 * `systemd-analyze security`, and orgsync signs in with the credential it hands over as a file.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { bin } from "../support/cli.js"
import { runOrgsync } from "../support/orgsync-process.js"
import { start } from "../support/simulator.js"

const unitFile = fileURLToPath(new URL("../../../../deploy/orgsync.service", import.meta.url))
const unit = fs.readFileSync(unitFile, "utf8")
const installPrefix = "/opt/orgsync/"
const configDir = "/etc/orgsync/"

/** Every value of `key=` in the unit, in order. */
const values = (key: string) =>
  unit.split("\n").filter((line) => line.startsWith(`${key}=`)).map((line) => line.slice(key.length + 1))

const systemdAnalyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].find((file) => fs.existsSync(file))

/** Runs systemd-analyze; its absence fails the test, never skips it. */
const analyze = (args: ReadonlyArray<string>) =>
  systemdAnalyze === undefined
    ? Effect.dieMessage("systemd-analyze is not installed: apt-get install systemd (.ci/run installs it)")
    : Effect.async<{ code: number; output: string }>((resume) => {
      execFile(systemdAnalyze, args, (error, stdout, stderr) =>
        resume(Effect.succeed({ code: error === null ? 0 : Number(error.code), output: `${stdout}${stderr}` })))
    })

/**
 * The unit as installed on this machine: systemd checks that ExecStart exists, so the install prefix points
 * at a folder whose bin/orgsync is this checkout's.
 */
const installedUnit = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-unit-"))
  fs.mkdirSync(path.join(dir, "bin"))
  fs.symlinkSync(bin, path.join(dir, "bin", "orgsync"))
  const file = path.join(dir, "orgsync.service")
  fs.writeFileSync(file, unit.replaceAll(installPrefix, `${dir}/`))
  return file
}

describe("deploy/orgsync.service", () => {
  it("asks for the hardening promised: its own user, a state directory, a read-only system", () => {
    expect(values("ExecStart")).toEqual([`${installPrefix}bin/orgsync run`])
    expect(values("DynamicUser")).toEqual(["yes"])
    expect(values("StateDirectory")).toEqual(["orgsync"])
    expect(values("ProtectSystem")).toEqual(["strict"])
    expect(values("NoNewPrivileges")).toEqual(["yes"])
    expect(values("Restart")).toEqual(["on-failure"])
    expect(values("ExecReload")).toEqual(["/bin/kill -HUP $MAINPID"])
    expect(values("Environment")).toContain("CODE42_CLIENT_SECRET_FILE=%d/code42-client-secret")
    expect(values("LoadCredential")).toEqual([`code42-client-secret:${configDir}credentials/code42-client-secret`])
  })

  it.effect("passes systemd-analyze verify without a warning", () =>
    Effect.gen(function*() {
      const verified = yield* analyze(["verify", installedUnit()])
      expect(verified).toEqual({ code: 0, output: "" })
    }))

  it.effect("rates at most 2.0 (OK) on systemd-analyze security", () =>
    Effect.gen(function*() {
      const rated = yield* analyze(["security", "--offline=yes", "--threshold=20", installedUnit()])
      expect(rated.code, rated.output).toBe(0)
      expect(rated.output).toMatch(/Overall exposure level for orgsync\.service: [01]\.\d OK/)
    }))

  it.scoped("gives orgsync its settings and the client secret it loads as a credential", () =>
    Effect.gen(function*() {
      const secret = "s3cret-from-credential"
      const clientId = values("Environment").find((line) => line.startsWith("CODE42_CLIENT_ID="))!.split("=")[1]!
      const sim = yield* start({ apiClients: [{ clientId, secret }] })
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-unit-env-"))
      const etc = path.join(root, "etc")
      const credentials = path.join(root, "credentials")
      const state = path.join(root, "state")
      for (const dir of [etc, path.join(etc, "credentials"), credentials, path.join(state, "orgsync")]) {
        fs.mkdirSync(dir, { recursive: true })
      }
      fs.writeFileSync(path.join(etc, "orgsync.yaml"), `url: ${sim.url}\n`)
      fs.writeFileSync(path.join(etc, "orgs.yaml"), "orgs:\n  - name: Support\n")
      fs.writeFileSync(path.join(etc, "credentials", "code42-client-secret"), `${secret}\n`)
      const local = (value: string) =>
        value.replaceAll(configDir, `${etc}/`).replaceAll("%d", credentials).replaceAll("%S", state)
      // What systemd does at start: copy each credential into the service's credentials directory.
      for (const credential of values("LoadCredential")) {
        const [id, source] = credential.split(/:(.*)/s) as [string, string]
        fs.copyFileSync(local(source), path.join(credentials, id))
      }
      const env = Object.fromEntries(values("Environment").map((line) => local(line).split(/=(.*)/s) as [string, string]))

      // The first apply creates the state database in the service's state directory; plan then reads it there.
      const applied = yield* runOrgsync(["apply", "--yes"], env)
      expect(applied.code, applied.stderr).toBe(0)
      expect(applied.stdout).toContain("Support")
      expect(applied.stdout + applied.stderr).not.toContain(secret)
      expect(fs.existsSync(path.join(state, "orgsync", "state.db"))).toBe(true)
      fs.appendFileSync(path.join(etc, "orgs.yaml"), "  - name: Legal\n")
      const planned = yield* runOrgsync(["plan"], env)
      expect(planned.code, planned.stderr).toBe(2)
      expect(planned.stdout).toMatch(/\+ create\s+Legal/)
      expect(planned.stdout).not.toMatch(/create\s+Support/)
      expect(planned.stdout + planned.stderr).not.toContain(secret)
    }))
})

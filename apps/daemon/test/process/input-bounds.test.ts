/**
 * The files a flag or a variable names besides the desired ones (`apply --plan`, `--config`, the credential
 * files) are read up to a bound: a file too big, or a device that never ends (`/dev/zero`), is refused in a
 * moment, never read into memory whole.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { start } from "../support/simulator.js"

/** A run that must end on its own well before the support's two-minute kill. */
const bounded = (run: ReturnType<typeof orgsync>) => run.pipe(Effect.timeoutFail({
  duration: "30 seconds",
  onTimeout: () => new Error("orgsync did not end within 30 seconds")
}))

describe("files read up to a bound", () => {
  it.scopedLive("a plan or settings file past its bound, and CODE42_PASSWORD_FILE naming /dev/zero, are refused", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n")
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      const device = yield* bounded(orgsync(["apply", ...common, "--plan", "/dev/zero", "--yes"]))
      expect(device.code, device.stderr).toBe(1)
      expect(device.stderr).toContain("cannot read the plan file /dev/zero: not a regular file")
      // Regular files past the bound (sparse: no disk is spent on them).
      const bigPlan = path.join(ws.dir, "plan.json")
      fs.writeFileSync(bigPlan, "")
      fs.truncateSync(bigPlan, 64 * 1024 * 1024 + 1)
      const plan = yield* bounded(orgsync(["apply", ...common, "--plan", bigPlan, "--yes"]))
      expect(plan.code, plan.stderr).toBe(1)
      expect(plan.stderr).toContain(`cannot read the plan file ${bigPlan}: it holds more than 64 MiB`)
      const bigConfig = path.join(ws.dir, "orgsync.yaml")
      fs.writeFileSync(bigConfig, "")
      fs.truncateSync(bigConfig, 1024 * 1024 + 1)
      const config = yield* bounded(orgsync(["plan", ...common, "--config", bigConfig]))
      expect(config.code, config.stderr).toBe(1)
      expect(config.stderr).toContain(`settings file ${bigConfig}: cannot be read: it holds more than 1 MiB`)
      const password = yield* bounded(
        orgsync(["plan", ...common], {}, { CODE42_USERNAME: credentials.CODE42_USERNAME, CODE42_PASSWORD_FILE: "/dev/zero" })
      )
      expect(password.code, password.stderr).toBe(1)
      expect(password.stderr).toContain("The password file \"/dev/zero\" cannot be read: it holds more than 64 KiB")
    }), 150_000)
})

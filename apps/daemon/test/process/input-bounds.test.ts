/**
 * The files a flag or a variable names besides the desired ones (`apply --plan`, `--config`, the credential
 * files) are read up to a bound: a device that never ends (`/dev/zero`) is refused in a moment, never read
 * into memory whole.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { start } from "../support/simulator.js"

/** A run that must end on its own well before the support's two-minute kill. */
const bounded = (run: ReturnType<typeof orgsync>) => run.pipe(Effect.timeoutFail({
  duration: "30 seconds",
  onTimeout: () => new Error("orgsync did not end within 30 seconds")
}))

describe("files read up to a bound", () => {
  it.scopedLive("apply --plan, --config and CODE42_PASSWORD_FILE naming /dev/zero are refused, naming the file", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n")
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      const plan = yield* bounded(orgsync(["apply", ...common, "--plan", "/dev/zero", "--yes"]))
      expect(plan.code, plan.stderr).toBe(1)
      expect(plan.stderr).toContain("cannot read the plan file /dev/zero: it holds more than 64 MiB")
      const config = yield* bounded(orgsync(["plan", ...common, "--config", "/dev/zero"]))
      expect(config.code, config.stderr).toBe(1)
      expect(config.stderr).toContain("settings file /dev/zero: cannot be read: it holds more than 1 MiB")
      const password = yield* bounded(
        orgsync(["plan", ...common], {}, { CODE42_USERNAME: credentials.CODE42_USERNAME, CODE42_PASSWORD_FILE: "/dev/zero" })
      )
      expect(password.code, password.stderr).toBe(1)
      expect(password.stderr).toContain("The password file \"/dev/zero\" cannot be read: it holds more than 64 KiB")
    }), 150_000)
})

/**
 * A quick command loads only what it uses: `orgsync --version` nothing but the version, `orgsync validate`
 * no HTTP client, daemon or simulator. Measured as the process's peak resident memory, which each of those
 * would push past the bound (the whole command line loaded at once took 105 MB for a validate).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import { workspace } from "../support/cli.js"
import { runOrgsync } from "../support/orgsync-process.js"

const version = (JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string })
  .version

describe("orgsync starts small", () => {
  it.effect("--version prints the package's version and build within 60 MiB", () =>
    Effect.gen(function*() {
      const run = yield* runOrgsync(["--version"], {})
      expect(run.code).toBe(0)
      expect(run.stdout.startsWith(`orgsync ${version} (build `)).toBe(true)
      expect(run.peakRssMib).toBeLessThan(60)
    }))

  it.effect("validate of a small file stays within 95 MiB (100 MB)", () =>
    Effect.gen(function*() {
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n")
      const run = yield* runOrgsync(["validate", "--desired", ws.desired], {})
      expect(run.code, run.stderr).toBe(0)
      expect(run.peakRssMib).toBeGreaterThan(0)
      expect(run.peakRssMib).toBeLessThan(95)
    }))
})

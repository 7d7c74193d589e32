/**
 * An empty secret is refused before any call to Code42, naming the variable: never sent to sign in.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { orgsync, workspace } from "../support/cli.js"
import { start } from "../support/simulator.js"

describe("empty secrets", () => {
  it.scoped("an empty password, password file or client secret file is refused naming the variable", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n")
      const empty = path.join(ws.dir, "empty-secret")
      fs.writeFileSync(empty, "\n")
      const cases: ReadonlyArray<readonly [Record<string, string>, string]> = [
        [{ CODE42_USERNAME: "admin", CODE42_PASSWORD: "" }, "CODE42_PASSWORD is empty."],
        [{ CODE42_USERNAME: "admin", CODE42_PASSWORD_FILE: "/dev/null" }, `CODE42_PASSWORD_FILE names an empty file "/dev/null".`],
        [{ CODE42_CLIENT_ID: "client", CODE42_CLIENT_SECRET_FILE: empty }, `CODE42_CLIENT_SECRET_FILE names an empty file "${empty}".`]
      ]
      for (const [account, message] of cases) {
        const run = yield* orgsync(["import", "--url", sim.url, "--out", path.join(ws.dir, "imported.yaml")], {}, account)
        expect(run.code, message).toBe(1)
        expect(run.stderr, message).toBe(`orgsync: ${message}\n`)
      }
    }), 120_000)
})

/**
 * `npm run soak`: the soak tests at full scale (1,000 orgs and 300 changes under faults, 30 SIGKILLs during a
 * 2,000-org apply, 10 minutes of the daemon), one file at a time so that their timings and memory figures
 * are not disturbed by each other. `ORGSYNC_SOAK=short npm run soak` runs them at `npm test` scale instead.
 */
import { defineConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    include: ["test/soak/**/*.test.ts"],
    env: { ORGSYNC_SOAK: process.env["ORGSYNC_SOAK"] ?? "full" },
    fileParallelism: false,
    testTimeout: 30 * 60_000,
    hookTimeout: 60_000
  }
})

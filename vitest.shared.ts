/**
 * The Vitest settings every package shares: sources resolve through the `@c42/source` export condition, so
 * tests run against `src/` without a build, and tests live in `test/`.
 */
import { defineConfig } from "vitest/config"

export default defineConfig({
  resolve: { conditions: ["@c42/source"] },
  ssr: { resolve: { conditions: ["@c42/source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})

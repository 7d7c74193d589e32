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

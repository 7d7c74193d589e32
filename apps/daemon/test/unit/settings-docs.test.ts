/**
 * The settings as documented: the README's table, the flags and the environment names are those of the
 * settings table, and the example settings file holds only known, valid settings.
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Option } from "effect"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import * as Settings from "../../src/Settings.js"

const repo = (file: string) => fileURLToPath(new URL(`../../../../${file}`, import.meta.url))

/** The rows of the README's table of settings: flag, environment variable, file key, default. */
const readmeRows = () => {
  const readme = fs.readFileSync(repo("README.md"), "utf8")
  const start = readme.indexOf("| setting | flag | environment | file key | default |")
  expect(start).toBeGreaterThan(0)
  const lines = readme.slice(start).split("\n")
  const rows = lines.slice(2, lines.findIndex((line) => !line.startsWith("|")))
  return rows.map((row) => {
    const cells = row.split("|").slice(1, -1).map((cell) => cell.trim())
    return { flag: cells[1], env: cells[2], file: cells[3], default: cells[4] }
  })
}

describe("settings documentation", () => {
  it("the README's table lists every setting with its flag, environment variable, file key and default", () => {
    const documented = readmeRows()
    const expected = Object.values(Settings.table).map((setting) => ({
      flag: `\`--${setting.flag}\``,
      env: `\`${setting.env}\``,
      file: `\`${setting.file}\``,
      default: setting.default === undefined ? setting.unset : `\`${setting.default}\``
    }))
    expect(documented).toEqual(expected)
  })

  it("environment names: CODE42_ for the connection, ORGSYNC_ and the file key for the rest", () => {
    for (const setting of Object.values(Settings.table)) {
      const snake = setting.file.replace(/\./g, "_").replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()
      expect(setting.env).toBe(setting.file === "url" ? "CODE42_URL" : `ORGSYNC_${snake}`)
      expect(setting.flag).toBe(setting.file.replace(/\./g, "-").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`))
    }
  })

  it.effect("config/orgsync.yaml holds known settings of the right kinds", () =>
    Settings.resolve({ config: Option.some(repo("config/orgsync.yaml")) }).pipe(
      Effect.map((settings) => expect(settings.api).toBe("v3")),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map())),
      Effect.provide(NodeContext.layer)
    ))
})

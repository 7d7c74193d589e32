import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import * as DesiredSchema from "../src/DesiredSchema.js"

const config = path.join(__dirname, "../../../config")
const committed = path.join(config, "orgs.schema.json")

describe("config/orgs.schema.json", () => {
  it("is the JSON Schema of the decoder", () => {
    const generated = `${JSON.stringify(DesiredSchema.jsonSchema(), null, 2)}\n`
    // Regenerating is an explicit step, so that a change to the file format is reviewed as such.
    if (process.env["UPDATE_SCHEMA"] === "1") fs.writeFileSync(committed, generated)
    expect(
      fs.readFileSync(committed, "utf8"),
      "config/orgs.schema.json is stale: in packages/reconcile run UPDATE_SCHEMA=1 npx vitest run test/desired-schema.test.ts"
    ).toBe(generated)
  })

  it("describes the keys the decoder accepts, and no others", () => {
    const schema = JSON.parse(fs.readFileSync(committed, "utf8"))
    expect(Object.keys(schema.properties)).toEqual(DesiredSchema.fileKeys)
    expect(schema.additionalProperties).toBe(false)
    expect(Object.keys(schema.$defs.Org.properties)).toEqual(DesiredSchema.orgKeys)
    expect(schema.$defs.Org.additionalProperties).toBe(false)
    expect(schema.$defs.Org.properties.name).toMatchObject({ minLength: 3, maxLength: 220 })
  })

  it("is what the example orgs.yaml points editors at", () => {
    const example = fs.readFileSync(path.join(config, "orgs.yaml"), "utf8")
    expect(example.split("\n")[0]).toBe("# yaml-language-server: $schema=./orgs.schema.json")
  })
})

/**
 * The gateway family against answers a careful client must survive: an error that echoes the credentials, the
 * spellings of a flag other than JSON booleans, a token's lifetime as text or null, and a 500 in the
 * gateway's own error shape (a server fault, not a refusal).
 */
import { describe, expect, layer } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import * as Replay from "./support/replay.js"

const secret = Replay.gatewaySecret
const basic = Buffer.from(`key-42:${secret}`).toString("base64")

const token = Replay.json(200, { access_token: "t", token_type: "bearer", expires_in: 900 })

const org = (name: string, fields: Record<string, unknown>) => ({
  orgGuid: `guid-${name}`,
  orgName: name,
  parentOrgGuid: name === "Top" ? null : "guid-Top",
  ...fields
})

layer(Replay.layer, { excludeTestServices: true })("gateway answers a careful client survives", (it) => {
  describe("an error that echoes the credentials never shows them", () => {
    for (
      const [name, message] of [
        ["the secret", `bad secret ${secret} for key-42`],
        ["the Basic header", `Authorization: Basic ${basic} refused`],
        ["the secret form-encoded", `client_secret=${encodeURIComponent(secret)}`]
      ] as const
    ) {
      it.scoped(name, () =>
        Effect.gen(function*() {
          const server = yield* Replay.Server
          server.answer(() => Replay.json(401, { code: "INVALID_CLIENT", message }))
          const client = yield* Replay.connectGateway(server)
          const error = yield* Effect.flip(client.getById("guid-Top"))
          expect(error.message).toContain("INVALID_CLIENT")
          expect(error.message).not.toContain(secret)
          expect(error.message).not.toContain(basic)
          expect(JSON.stringify(error)).not.toContain(secret)
          expect(error.message).toContain("<redacted>")
        }))
    }
  })

  it.scoped("reads active from True/False, 1/0 and, without it, from the deactivation date", () =>
    Effect.gen(function*() {
      const server = yield* Replay.Server
      const orgs = [
        org("Top", { active: true }),
        org("Capital", { active: "False" }),
        org("Upper", { active: "TRUE" }),
        org("Zero", { active: 0 }),
        org("One", { active: 1 }),
        org("Dated", { deactivationDate: "2025-01-02T03:04:05.000Z" }),
        org("Undated", { deactivationDate: null })
      ]
      server.answer((request) =>
        request.path === "/v1/oauth" ? token : Replay.json(200, { totalCount: orgs.length, orgs })
      )
      const client = yield* Replay.connectGateway(server)
      const listed = Chunk.toReadonlyArray(yield* Stream.runCollect(client.getAll()))
      expect(listed.map((o) => [o.orgName, o.active])).toEqual([
        ["Top", true],
        ["Capital", false],
        ["Upper", true],
        ["Zero", false],
        ["One", true],
        ["Dated", false],
        ["Undated", true]
      ])
    }))

  for (const expiresIn of ["900", null]) {
    it.scoped(`a token whose expires_in is ${JSON.stringify(expiresIn)} is used`, () =>
      Effect.gen(function*() {
        const server = yield* Replay.Server
        server.answer((request) =>
          request.path === "/v1/oauth"
            ? Replay.json(200, { access_token: "t", token_type: "bearer", expires_in: expiresIn })
            : Replay.json(200, org("Top", { active: true }))
        )
        const client = yield* Replay.connectGateway(server)
        expect(yield* client.getById("guid-Top")).toMatchObject({ orgName: "Top" })
      }))
  }

  it.scoped("a 500 in the gateway's {code, message} shape is a server fault: a deactivation is tried again", () =>
    Effect.gen(function*() {
      const server = yield* Replay.Server
      let deactivations = 0
      server.answer((request) =>
        request.path === "/v1/oauth"
          ? token
          : ++deactivations === 1
          ? Replay.json(500, { code: "INTERNAL_ERROR", message: "Internal server error" })
          : { status: 200, reason: null, headers: {}, body: "" }
      )
      const client = yield* Replay.connectGateway(server)
      yield* client.deactivate("guid-Top")
      expect(deactivations).toBe(2)
    }))

  it.scoped("a 500 in the gateway's {code, message} shape after a create leaves its outcome unknown", () =>
    Effect.gen(function*() {
      const server = yield* Replay.Server
      server.answer((request) =>
        request.path === "/v1/oauth" ? token : Replay.json(500, { code: "INTERNAL_ERROR", message: "Internal server error" })
      )
      const client = yield* Replay.connectGateway(server)
      const error = yield* Effect.flip(client.createOrg({ orgName: "New", parentOrgGuid: "guid-Top" }))
      expect(error).toMatchObject({ _tag: "UnknownOutcomeError", status: 500 })
    }))
})

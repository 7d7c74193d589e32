/**
 * Sign-in against something that is not the Code42 API (a wrong host or path answers 404, or a web page):
 * the error says the URL is probably wrong, instead of "organization not found" or "not JSON".
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as Replay from "./support/replay.js"

const page = (status: number): Replay.Answer => ({
  status,
  reason: null,
  headers: { "content-type": "text/html; charset=utf-8" },
  body: "<!DOCTYPE html><html><body>Welcome</body></html>"
})

const token: Replay.Answer = { status: 200, reason: null, headers: {}, body: JSON.stringify({ v3_user_token: "t" }) }

layer(Replay.layer, { excludeTestServices: true })("sign-in", (it) => {
  describe("a URL that does not lead to Code42", () => {
    for (const [name, answer] of [
      ["a 404", { status: 404, reason: "Not Found", headers: {}, body: "" }],
      ["a 404 page", page(404)],
      ["a web page", page(200)]
    ] as const) {
      it.scoped(`${name} at sign-in says the URL is probably wrong`, () =>
        Effect.gen(function*() {
          const server = yield* Replay.Server
          server.answer(() => answer)
          const client = yield* Replay.connect(server)
          const error = yield* Effect.flip(client.getCurrent())
          expect(error).toMatchObject({ _tag: "WrongUrlError", operation: "signIn", status: answer.status })
          expect(error.message).toContain(`${server.url} answered the sign-in with`)
          expect(error.message).toContain("the URL is probably wrong")
          expect(error.message).not.toContain("not found")
          expect(server.received()).toHaveLength(1)
        }))
    }
  })

  it.scoped("a proxy's 502 page at sign-in is an outage, retried", () =>
    Effect.gen(function*() {
      const server = yield* Replay.Server
      let signIns = 0
      server.answer((request) =>
        request.path === "/api/v3/auth/jwt"
          ? ++signIns === 1 ? page(502) : token
          : { status: 200, reason: null, headers: {}, body: JSON.stringify({ orgId: 1, orgUid: "1", orgName: "Top" }) }
      )
      const client = yield* Replay.connect(server)
      expect(yield* client.getCurrent()).toMatchObject({ orgName: "Top" })
      expect(signIns).toBe(2)
    }))

  it.scoped("a 404 after sign-in is still an org that was not found", () =>
    Effect.gen(function*() {
      const server = yield* Replay.Server
      server.answer((request) => request.path === "/api/v3/auth/jwt" ? token : { status: 404, reason: null, headers: {}, body: "" })
      const client = yield* Replay.connect(server)
      expect(yield* Effect.flip(client.getById(5))).toMatchObject({ _tag: "NotFoundError", status: 404 })
    }))
})

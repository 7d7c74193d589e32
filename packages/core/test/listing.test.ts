/**
 * Listings that do not hold what they announce, from a loopback server: pages capped below pgSize, a
 * `totalCount` larger or smaller than the orgs served, pages that repeat. The whole listing is read by its
 * count, read again when it is inconsistent, and refused with a typed error when it stays so.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import * as Org from "../src/Org.js"
import * as Replay from "./support/replay.js"

const org = (n: number) => ({
  orgId: n,
  orgUid: `${1000 + n}`,
  orgGuid: `guid-${n}`,
  orgName: `Org ${n}`,
  active: true,
  blocked: false,
  parentOrgUid: n === 1 ? null : "1001"
})

const json = { "content-type": "application/json" }

/** A list answer of `orgs` announcing `totalCount` (none when undefined). */
const page = (orgs: ReadonlyArray<unknown>, totalCount: number | undefined): Replay.Answer => ({
  status: 200,
  reason: null,
  headers: json,
  body: JSON.stringify({ data: totalCount === undefined ? { orgs } : { totalCount, orgs } })
})

/** Serves sign-in, and list pages from `list` (pgNum and pgSize as asked). */
const server = (list: (pgNum: number, pgSize: number) => Replay.Answer): Replay.Respond => (request) =>
  request.path === "/api/v3/auth/jwt"
    ? { status: 200, reason: null, headers: json, body: JSON.stringify({ v3_user_token: "t" }) }
    : list(Number(request.query.get("pgNum")), Number(request.query.get("pgSize")))

const listed = (fake: Replay.ReplayServer) =>
  fake.received().filter((r) => r.path === "/api/v1/Org").map((r) => Number(r.query.get("pgNum")))

layer(Replay.layer, { excludeTestServices: true })("listing", (it) => {
  describe("by the announced count", () => {
    it.scoped("a server that caps pages at 2 still gives the whole listing", () =>
      Effect.gen(function*() {
        const fake = yield* Replay.Server
        const orgs = Array.from({ length: 7 }, (_, i) => org(i + 1))
        fake.answer(server((pgNum) => page(orgs.slice((pgNum - 1) * 2, pgNum * 2), orgs.length)))
        const client = yield* Replay.connect(fake)
        const all = Chunk.toReadonlyArray(yield* Stream.runCollect(client.getAll()))
        expect(all.map((o) => o.orgId)).toEqual([1, 2, 3, 4, 5, 6, 7])
        expect(listed(fake)).toEqual([1, 2, 3, 4])
      }))

    it.scoped("a full last page costs no extra empty page", () =>
      Effect.gen(function*() {
        const fake = yield* Replay.Server
        const orgs = Array.from({ length: 6 }, (_, i) => org(i + 1))
        fake.answer(server((pgNum, pgSize) => page(orgs.slice((pgNum - 1) * pgSize, pgNum * pgSize), orgs.length)))
        const client = yield* Replay.connect(fake)
        expect(Chunk.size(yield* Stream.runCollect(client.getAll({ pgSize: 3 })))).toBe(6)
        expect(listed(fake)).toEqual([1, 2])
      }))

    it.scoped("without a count, the first page shorter than pgSize ends the listing", () =>
      Effect.gen(function*() {
        const fake = yield* Replay.Server
        const orgs = Array.from({ length: 5 }, (_, i) => org(i + 1))
        fake.answer(server((pgNum, pgSize) => page(orgs.slice((pgNum - 1) * pgSize, pgNum * pgSize), undefined)))
        const client = yield* Replay.connect(fake)
        expect(Chunk.size(yield* Stream.runCollect(client.getAll({ pgSize: 2 })))).toBe(5)
        expect(listed(fake)).toEqual([1, 2, 3])
      }))
  })

  describe("lean", () => {
    /** An org with every field a server sends; its parent listed before it, after it, or not at all. */
    const full = (n: number) => ({
      orgId: n,
      orgUid: `${1000 + n}`,
      orgGuid: `guid-${n}`,
      orgName: `Org ${n}`,
      orgExtRef: n % 2 === 0 ? `EXT-${n}` : null,
      notes: n % 3 === 0 ? null : `notes ${n}`,
      status: n % 4 === 0 ? "Deactivated" : "Active",
      active: n % 4 !== 0,
      blocked: n % 5 === 0,
      parentOrgId: n === 1 ? null : n === 7 ? 9 : n === 8 ? 99 : 1,
      parentOrgUid: n === 1 ? null : n === 7 ? "1009" : n === 8 ? "1099" : "1001",
      parentOrgGuid: n === 1 ? null : n === 7 ? "guid-9" : n === 8 ? "guid-99" : n === 6 ? "guid-other" : "guid-1",
      type: "ENTERPRISE",
      classification: "BASIC",
      creationDate: "2024-01-02T03:04:05.678Z",
      modificationDate: "2024-02-03T04:05:06.789Z",
      registrationKey: `KEY-${n}`
    })
    const dropped = ["type", "classification", "creationDate", "modificationDate", "registrationKey"]

    it.scoped("keeps of each org what reconciling reads, the same values as a full listing, page by page", () =>
      Effect.gen(function*() {
        const fake = yield* Replay.Server
        const orgs = Array.from({ length: 9 }, (_, i) => full(i + 1))
        fake.answer(server((pgNum) => page(orgs.slice((pgNum - 1) * 2, pgNum * 2), orgs.length)))
        const client = yield* Replay.connect(fake)
        const all = Chunk.toReadonlyArray(yield* Stream.runCollect(client.getAll({ pgSize: 2 })))
        const lean = Chunk.toReadonlyArray(yield* Stream.runCollect(client.getAllPages({ pgSize: 2, lean: true })))
        expect(lean.map((one) => one.totalCount)).toEqual([9, 9, 9, 9, 9])
        const leanOrgs = lean.flatMap((one) => one.orgs)
        expect(all[0]).toMatchObject({ type: "ENTERPRISE", registrationKey: "KEY-1" })
        expect(leanOrgs).toEqual(all.map((org) =>
          new Org.Org(Object.fromEntries(Object.entries(org).filter(([key]) => !dropped.includes(key))) as Org.Org)
        ))
        expect(leanOrgs.map((org) => [org.parentOrgUid, org.parentOrgGuid, org.status])).toEqual(
          orgs.map((org) => [org.parentOrgUid, org.parentOrgGuid, org.status])
        )
      }))
  })

  describe("inconsistent listings are read again, then refused", () => {
    it.scoped("a count of 6 over 3 orgs", () =>
      Effect.gen(function*() {
        const fake = yield* Replay.Server
        const orgs = [org(1), org(2), org(3)]
        fake.answer(server((pgNum) => page(pgNum === 1 ? orgs : [], 6)))
        const client = yield* Replay.connect(fake)
        const error = yield* Effect.flip(Stream.runDrain(client.getAll()))
        expect(error).toMatchObject({ _tag: "InconsistentListingError", operation: "getAll", reads: 3 })
        expect(error.message).toContain("the org listing announced 6 orgs but returned 3 after 3 reads")
        expect(listed(fake).filter((n) => n === 1)).toHaveLength(3)
      }))

    it.scoped("a listing that runs past its count", () =>
      Effect.gen(function*() {
        const fake = yield* Replay.Server
        const orgs = Array.from({ length: 6 }, (_, i) => org(i + 1))
        fake.answer(server((pgNum) => page(orgs.slice((pgNum - 1) * 2, pgNum * 2), 3)))
        const client = yield* Replay.connect(fake)
        const error = yield* Effect.flip(client.getByName("Org 1"))
        expect(error).toMatchObject({ _tag: "InconsistentListingError", operation: "getByName", reads: 3 })
        expect(error.message).toContain("the org listing announced 3 orgs but returned 4 after 3 reads")
      }))

    it.scoped("pages that repeat", () =>
      Effect.gen(function*() {
        const fake = yield* Replay.Server
        fake.answer(server(() => page([org(1), org(2)], 10)))
        const client = yield* Replay.connect(fake)
        const error = yield* Effect.flip(Stream.runDrain(client.getAllPages({ pgSize: 2 })))
        expect(error).toMatchObject({ _tag: "InconsistentListingError", reads: 3 })
        expect(error.message).toContain("the org listing returned org 1001 twice after 3 reads")
      }))

    it.scoped("a listing that becomes consistent on a second read is accepted", () =>
      Effect.gen(function*() {
        const fake = yield* Replay.Server
        const orgs = [org(1), org(2), org(3)]
        let reads = 0
        fake.answer(server((pgNum) => {
          if (pgNum === 1) reads++
          return page(reads === 1 ? orgs.slice(0, 2) : orgs, 3)
        }))
        const client = yield* Replay.connect(fake)
        expect(Chunk.size(yield* Stream.runCollect(client.getAll()))).toBe(3)
        expect(reads).toBe(2)
      }))

    it.scoped("a listing announcing more orgs than the client reads is refused at once", () =>
      Effect.gen(function*() {
        const fake = yield* Replay.Server
        fake.answer(server(() => page([org(1)], 1_000_000)))
        const client = yield* Replay.connect(fake)
        const error = yield* Effect.flip(Stream.runDrain(client.getAll()))
        expect(error).toMatchObject({ _tag: "InconsistentListingError", reads: 1 })
        expect(error.message).toContain("announced 1000000 orgs, more than the 150000 the client reads")
        expect(listed(fake)).toEqual([1])
      }))
  })
})

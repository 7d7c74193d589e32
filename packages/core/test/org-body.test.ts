import { describe, expect, it } from "@effect/vitest"
import { Either, Equal, Hash, Schema } from "effect"
import { PCGRandom } from "effect/Utils"
import * as Org from "../src/Org.js"
import { Body, quickBody } from "../src/internal/orgBody.js"

/** Values a server has sent, or might send, for the fields that identify an org. */
const odd = [
  7, 0, -3, 2 ** 53, 2 ** 53 - 1, 1.5, Number.NaN, "42", " 42 ", "-42", "0042", "1".repeat(15), "1".repeat(16), "4 2", "",
  "ADMIN", "x", null, true, false, [], {}, [1], { orgId: 1 }
]

const pick = <A>(random: PCGRandom, items: ReadonlyArray<A>): A => items[random.integer(items.length)]!

/** A body with each identifying field usual, odd or missing, and the other fields as servers send them. */
const randomBody = (random: PCGRandom): unknown => {
  const field = (usual: unknown) => {
    const roll = random.number()
    return roll < 0.6 ? usual : roll < 0.95 ? pick(random, odd) : undefined
  }
  const body: Record<string, unknown> = {
    orgId: field(random.integer(10_000)),
    orgUid: field(String(1_000_000 + random.integer(10_000))),
    orgName: field(`Org ${random.integer(100)}`),
    orgGuid: pick(random, ["g-1", "", null, 3, undefined]),
    status: pick(random, ["Active", "Deactivated", "active", "odd", null, undefined]),
    active: pick(random, [true, false, "true", "no", null, undefined]),
    blocked: pick(random, [true, false, "false", 1, undefined]),
    parentOrgId: pick(random, [1, "2", null, "x", undefined]),
    parentOrgUid: pick(random, ["1001", 1001, null, undefined]),
    creationDate: pick(random, ["2026-11-30T06:20:26.934Z", null, 5, undefined]),
    userCount: pick(random, [3, "4", -1, null, undefined]),
    extra: pick(random, ["kept out", undefined])
  }
  for (const key of Object.keys(body)) if (body[key] === undefined && random.number() < 0.5) delete body[key]
  return random.number() < 0.03 ? pick(random, [null, "org", [body], 12]) : body
}

const decodeBody = Schema.decodeUnknownEither(Body)
const decodeOrg = Schema.decodeUnknownEither(Org.OrgFromApi)

describe("quickBody", () => {
  it("reads what Body reads, and declines every body Body refuses", () => {
    const random = new PCGRandom(13)
    const counts = { read: 0, refused: 0 }
    for (let i = 0; i < 5_000; i++) {
      const input = randomBody(random)
      const quick = quickBody(input)
      const decoded = decodeBody(input)
      if (Either.isLeft(decoded)) {
        expect([input, quick]).toEqual([input, undefined])
        counts.refused++
        continue
      }
      // Body keeps only its own keys; the quick read keeps the others too, and nothing looks at them.
      const own = quick && Object.fromEntries(Object.keys(decoded.right).map((key) => [key, quick[key as keyof typeof quick]]))
      expect([input, own]).toEqual([input, decoded.right])
      counts.read++
    }
    expect(counts.read).toBeGreaterThan(1_000)
    expect(counts.refused).toBeGreaterThan(1_000)
  })

  it("makes list pages read as their orgs one by one", () => {
    const random = new PCGRandom(14)
    const bodies = Array.from({ length: 3_000 }, () => randomBody(random))
      .filter((body) => Either.isRight(decodeOrg(body)))
    const page = Schema.decodeUnknownSync(Org.OrgPageFromApi)({ totalCount: " 12 ", orgs: bodies })
    expect(page.totalCount).toBe(12)
    expect(page.orgs).toEqual(bodies.map((body) => Either.getOrThrow(decodeOrg(body))))
    // A page with one org that cannot be read is refused as a whole, with the schema's message.
    const refused = Schema.decodeUnknownEither(Org.OrgPageFromApi)({ orgs: [...bodies, { orgId: "x" }] })
    expect(Either.isLeft(refused) && refused.left.message).toMatch(/orgId/)
  })
})

describe("Org.fromChecked", () => {
  it("makes the instance the constructor makes of checked fields: equal, of the class, its keys in order, an Org", () => {
    const random = new PCGRandom(15)
    const orgs = Array.from({ length: 3_000 }, () => randomBody(random)).flatMap((body) => {
      const decoded = decodeOrg(body)
      return Either.isRight(decoded) ? [decoded.right] : []
    })
    expect(orgs.length).toBeGreaterThan(500)
    const isOrg = Schema.is(Org.Org)
    for (const decoded of orgs) {
      const fields = { ...decoded }
      const made = Org.fromChecked(fields)
      // What it stands for: the constructor, told that the fields were checked (checking orders the keys anew).
      const constructed = new Org.Org(fields, true)
      expect(Equal.equals(made, new Org.Org(fields))).toBe(true)
      expect(made).toBeInstanceOf(Org.Org)
      expect(isOrg(made)).toBe(true)
      expect(Equal.equals(made, constructed)).toBe(true)
      expect(Hash.hash(made)).toBe(Hash.hash(constructed))
      expect(Object.keys(made)).toEqual(Object.keys(constructed))
      expect(JSON.stringify(made)).toBe(JSON.stringify(constructed))
      // Each has fields of its own: changing what it was made from changes neither.
      expect(made).not.toBe(fields)
    }
  })
})

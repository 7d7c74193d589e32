/**
 * The Incydr API gateway family, through the built `code42-sim` process, as Code42's own Incydr SDK
 * (code42/incydr_python, `client.orgs.v1`) speaks it: the requests below are the ones its `Client` and
 * `OrgsV1` send (python-requests through a base-URL session), byte for byte where it matters: method, path,
 * query, headers and JSON body. The answers are checked field by field against the published schemas.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { exchange, launch, type RawReply } from "./process.js"
import { definition, departures, realAnswer } from "./published.js"

const clientId = "key-42"
const clientSecret = "s3cret"

/** What python-requests sends with every request of the SDK's session (captured from incydr 2.12.2). */
const sdkHeaders = (host: string) => ({
  Host: host,
  "User-Agent": "incydrSDK/2.12.2 CPython/3.11.7 Linux/6.18.44",
  "Accept-Encoding": "gzip, deflate",
  Accept: "*/*",
  Connection: "keep-alive"
})

/** `json.dumps` of a dict, as requests serializes `json=payload`: `", "` and `": "` separators, keys in order. */
const pythonJson = (payload: Record<string, string | null>) =>
  `{${Object.entries(payload).map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`).join(", ")}}`

const seed = {
  org: {
    orgName: "Acme",
    children: [
      { orgName: "Engineering", userCount: 4, computerCount: 5, children: [{ orgName: "Platform" }] },
      { orgName: "Sales" },
      { orgName: "Archive", active: false }
    ]
  }
}

const startGateway = Effect.gen(function*() {
  const folder = mkdtempSync(join(tmpdir(), "code42-sim-gateway-"))
  yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(folder, { recursive: true, force: true })))
  writeFileSync(join(folder, "seed.json"), JSON.stringify(seed))
  const { line } = yield* launch([
    "--port", "0",
    "--seed", join(folder, "seed.json"),
    "--api-client", `${clientId}:${clientSecret}`,
    "--user", "alice:pw"
  ])
  const url = line.replace("code42-sim listening on ", "")
  const host = new URL(url).host
  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    exchange(url, method, path, { ...sdkHeaders(host), ...headers }, body)
  return { url, send }
})

const json = (reply: RawReply) => JSON.parse(reply.text)

const basicAuth = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`

describe("the Incydr SDK's orgs.v1 client against code42-sim", () => {
  it.scopedLive("runs list, list active, get, create with and without a parent, update, deactivate, activate", () =>
    Effect.gen(function*() {
      const { send } = yield* startGateway

      // incydr.Client(url, api_client_id, api_client_secret): APIClientAuth.refresh() at construction.
      const oauth = yield* send("POST", "/v1/oauth", { "Content-Length": "0", Authorization: basicAuth })
      expect(oauth.status).toBe(200)
      const token = json(oauth)
      expect(departures(token, definition("AccessTokenResponse"))).toEqual([])
      expect(Object.keys(token)).toEqual(Object.keys(JSON.parse(realAnswer("incydr-gateway-oauth-2025").response.body)))
      expect([token.token_type, token.expires_in]).toEqual(["bearer", 900])
      // Client.tenant_id reads the tenantUid claim of the token.
      const claims = JSON.parse(Buffer.from(token.access_token.split(".")[1], "base64url").toString("utf8"))
      expect(claims.tenantUid).toMatch(/\S/)
      const bearer = { Authorization: `Bearer ${token.access_token}` }
      const orgList = definition("OrgListContainer")
      const orgResponse = definition("OrgResponse")

      // client.orgs.v1.list(): params={"active": None}, which requests leaves out.
      const all = yield* send("GET", "/v1/orgs", bearer)
      expect(all.status).toBe(200)
      const listed = json(all)
      expect(departures(listed, orgList)).toEqual([])
      expect(listed).not.toHaveProperty("data")
      expect(listed.totalCount).toBe(5)
      const byName = (name: string) => listed.orgs.find((org: { orgName: string }) => org.orgName === name)
      const engineering = byName("Engineering")
      expect(engineering).toMatchObject({
        orgName: "Engineering",
        orgExtRef: null,
        notes: null,
        parentOrgGuid: byName("Acme").orgGuid,
        active: true,
        deactivationDate: null,
        userCount: 4,
        computerCount: 5,
        orgCount: 1
      })
      expect(engineering.creationDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      expect(engineering.registrationKey).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/)
      // The published sample has the same properties, in the same order.
      expect(Object.keys(engineering)).toEqual(
        Object.keys(JSON.parse(realAnswer("incydr-gateway-org-2025").response.body))
      )

      // client.orgs.v1.list(active=True) / list(active=False): Python booleans in the query.
      const active = json(yield* send("GET", "/v1/orgs?active=True", bearer))
      expect(departures(active, orgList)).toEqual([])
      expect(active.orgs.map((org: { orgName: string }) => org.orgName)).toEqual(["Acme", "Engineering", "Platform", "Sales"])
      const inactive = json(yield* send("GET", "/v1/orgs?active=False", bearer))
      expect([inactive.totalCount, inactive.orgs[0].orgName, inactive.orgs[0].active]).toEqual([1, "Archive", false])

      // client.orgs.v1.get_org(guid)
      const got = yield* send("GET", `/v1/orgs/${engineering.orgGuid}`, bearer)
      expect([got.status, departures(json(got), orgResponse)]).toEqual([200, []])
      expect(json(got)).toEqual(engineering)

      // client.orgs.v1.create("Data Science", org_ext_ref="DS-1", parent_org_guid=..., notes="Models")
      const withParent = pythonJson({
        orgName: "Data Science",
        orgExtRef: "DS-1",
        parentOrgGuid: engineering.orgGuid,
        notes: "Models"
      })
      const created = yield* send("POST", "/v1/orgs", {
        "Content-Length": String(Buffer.byteLength(withParent)),
        "Content-Type": "application/json",
        ...bearer
      }, withParent)
      expect([created.status, departures(json(created), orgResponse)]).toEqual([200, []])
      const science = json(created)
      expect(science).toMatchObject({
        orgName: "Data Science",
        orgExtRef: "DS-1",
        notes: "Models",
        parentOrgGuid: engineering.orgGuid,
        active: true,
        deactivationDate: null,
        userCount: 0,
        computerCount: 0,
        orgCount: 0
      })

      // client.orgs.v1.create("Contractors"): no parent, so the SDK lists and picks the org whose parent is
      // not among the listed guids, then sends its guid.
      const again = json(yield* send("GET", "/v1/orgs", bearer))
      const guids = again.orgs.map((org: { orgGuid: string }) => org.orgGuid)
      const root = again.orgs.find((org: { parentOrgGuid: string | null }) => !guids.includes(org.parentOrgGuid))
      expect(root.orgName).toBe("Acme")
      const withoutParent = pythonJson({
        orgName: "Contractors",
        orgExtRef: null,
        parentOrgGuid: root.orgGuid,
        notes: null
      })
      const topLevel = yield* send("POST", "/v1/orgs", {
        "Content-Length": String(Buffer.byteLength(withoutParent)),
        "Content-Type": "application/json",
        ...bearer
      }, withoutParent)
      expect([topLevel.status, departures(json(topLevel), orgResponse)]).toEqual([200, []])
      expect(json(topLevel)).toMatchObject({ orgName: "Contractors", orgExtRef: null, notes: null, parentOrgGuid: root.orgGuid })

      // client.orgs.v1.update(guid, "Data Platform"): the fields not given go as null and keep their values.
      const rename = pythonJson({ orgName: "Data Platform", orgExtRef: null, notes: null })
      const updated = yield* send("PUT", `/v1/orgs/${science.orgGuid}`, {
        "Content-Length": String(Buffer.byteLength(rename)),
        "Content-Type": "application/json",
        ...bearer
      }, rename)
      expect([updated.status, departures(json(updated), orgResponse)]).toEqual([200, []])
      expect(json(updated)).toMatchObject({ orgGuid: science.orgGuid, orgName: "Data Platform", orgExtRef: "DS-1", notes: "Models" })

      // client.orgs.v1.deactivate(guid) / activate(guid): 200 with an empty body.
      for (const [action, activeAfter] of [["deactivate", false], ["activate", true]] as const) {
        const reply = yield* send("POST", `/v1/orgs/${science.orgGuid}/${action}`, { "Content-Length": "0", ...bearer })
        expect([action, reply.status, reply.text]).toEqual([action, 200, ""])
        const after = json(yield* send("GET", `/v1/orgs/${science.orgGuid}`, bearer))
        expect([action, after.active, after.deactivationDate === null]).toEqual([action, activeAfter, activeAfter])
      }
      expect(realAnswer("incydr-gateway-activate-2025").response).toMatchObject({ status: 200, body: "" })
    }))

  it.scopedLive("signs in as documented: form credentials, grant types, bad secrets, the deprecated user flow", () =>
    Effect.gen(function*() {
      const { send } = yield* startGateway
      const form = (fields: string) =>
        send("POST", "/v1/oauth", {
          "Content-Type": "application/x-www-form-urlencoded",
          "Content-Length": String(Buffer.byteLength(fields))
        }, fields)
      const byForm = yield* form(`grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`)
      expect([byForm.status, json(byForm).token_type]).toEqual([200, "bearer"])
      const byQuery = yield* send("POST", "/v1/oauth?grant_type=client_credentials", {
        "Content-Length": "0",
        Authorization: basicAuth
      })
      expect(byQuery.status).toBe(200)
      expect((yield* send("POST", "/v1/oauth?grant_type=password", { Authorization: basicAuth })).status).toBe(400)
      expect((yield* form(`grant_type=implicit&client_id=${clientId}&client_secret=${clientSecret}`)).status).toBe(400)
      const wrong = `Basic ${Buffer.from(`${clientId}:nope`).toString("base64")}`
      expect((yield* send("POST", "/v1/oauth", { Authorization: wrong })).status).toBe(401)
      expect((yield* send("POST", "/v1/oauth", {})).status).toBe(401)

      // GET /v1/auth with a local account's Basic credentials.
      const user = yield* send("GET", "/v1/auth", { Authorization: `Basic ${Buffer.from("alice:pw").toString("base64")}` })
      expect([user.status, departures(json(user), definition("AuthTokenResponse"))]).toEqual([200, []])
      const orgs = yield* send("GET", "/v1/orgs", { Authorization: `Bearer ${json(user).bearerToken}` })
      expect(orgs.status).toBe(200)
      const refused = yield* send("GET", "/v1/auth", { Authorization: `Basic ${Buffer.from("alice:x").toString("base64")}` })
      expect(refused.status).toBe(401)
      expect((yield* send("GET", "/v1/orgs", { Authorization: "Bearer forged" })).status).toBe(401)
    }))

  it.scopedLive("has no block or unblock, refuses bad input, and answers unknown orgs with 404", () =>
    Effect.gen(function*() {
      const { send } = yield* startGateway
      const token = json(yield* send("POST", "/v1/oauth", { Authorization: basicAuth })).access_token
      const bearer = { Authorization: `Bearer ${token}` }
      const platform = json(yield* send("GET", "/v1/orgs", bearer)).orgs[2]
      for (const action of ["block", "unblock"]) {
        expect((yield* send("POST", `/v1/orgs/${platform.orgGuid}/${action}`, bearer)).status).toBe(404)
      }
      expect((yield* send("GET", "/v1/orgs/no-such-guid", bearer)).status).toBe(404)
      expect((yield* send("GET", "/v1/orgs?active=maybe", bearer)).status).toBe(400)
      const put = (body: string) =>
        send("PUT", `/v1/orgs/${platform.orgGuid}`, { "Content-Type": "application/json", ...bearer }, body)
      const nameless = yield* put(pythonJson({ orgName: null, orgExtRef: null, notes: null }))
      expect([nameless.status, json(nameless).code]).toEqual([400, "ORG_NAME_MISSING"])
      const short = yield* put(pythonJson({ orgName: "QA", orgExtRef: null, notes: null }))
      expect([short.status, json(short)]).toEqual([400, {
        code: "ORG_NAME_TOO_SHORT",
        message: "Org name must be at least three characters long"
      }])
    }))
})

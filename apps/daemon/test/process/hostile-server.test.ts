/**
 * Hostile answers from the server: a small HTTP server of the test's own, which signs in normally and then
 * answers the org list with invalid JSON, wrong types, missing fields, a 10 MB body, pages that never end, or
 * an org that claims to be its own parent. `orgsync plan` and `apply --yes` must stop with a clear error (or
 * safely), within bounded time and memory, and never send a write.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { credentials } from "../support/cli.js"
import { runOrgsync, stackTrace } from "../support/orgsync-process.js"
import { tempDir } from "../support/temp-dir.js"

const defaultDeadlineMillis = 30_000
const peakRssMib = 512
/** An error a person reads, not a dump of what the server sent. */
const maxErrorText = 8_192

/** An org as Code42 sends it. */
const org = (orgId: number, orgName: string, parent: { readonly orgId: number } | undefined) => ({
  orgId,
  orgUid: `${1_000_000 + orgId}`,
  orgGuid: `guid-${orgId}`,
  orgName,
  orgExtRef: null,
  notes: null,
  status: "Active",
  active: true,
  blocked: false,
  parentOrgId: parent?.orgId ?? null,
  parentOrgUid: parent === undefined ? null : `${1_000_000 + parent.orgId}`,
  parentOrgGuid: parent === undefined ? null : `guid-${parent.orgId}`,
  type: "ENTERPRISE",
  registrationKey: "AAAA-BBBB-CCCC-DDDD"
})

const top = org(1, "Hostile Tenant", undefined)

const page = (orgs: ReadonlyArray<unknown>, totalCount = orgs.length) =>
  JSON.stringify({ metadata: { timestamp: new Date().toISOString(), params: {} }, data: { totalCount, orgs } })

type Answer =
  | { readonly body: string }
  /** `start`, then `chunk` again and again until the client hangs up. */
  | { readonly start: string; readonly chunk: string }


interface Scenario {
  readonly name: string
  /** The answer to `GET /api/v1/Org?pgNum&pgSize`. */
  readonly list: (pgNum: number, pgSize: number) => Answer
  /** The desired file's `root`, when not the top-level org. */
  readonly root?: string
  /** Where orgsync does not yet behave: the test is expected to fail, and says so once it is fixed. */
  readonly deadlineMillis?: number
}

// A client that notices needs a few pages; more time only burns the machine.
const endless = { deadlineMillis: 8_000 }
/** A full page that starts with the top-level org, the same on every call. */
const samePage = (pgSize: number) => [top, ...Array.from({ length: pgSize - 1 }, (_, i) => org(2 + i, `Org ${i}`, top))]

/** An org that names itself as its parent. */
const self = (orgId: number, orgName: string) => org(orgId, orgName, { orgId })

const scenarios: ReadonlyArray<Scenario> = [
  { name: "invalid JSON", list: () => ({ body: page([top]).slice(0, 80) }) },
  {
    name: "wrong types",
    list: () => ({ body: page([{ ...top, orgId: "one", active: "yes" }, { ...org(2, "Sales", top), blocked: 1 }]) })
  },
  {
    name: "missing fields",
    list: () => {
      const { orgGuid: _guid, orgUid: _uid, ...partial } = org(2, "Sales", top)
      return { body: page([top, partial]) }
    }
  },
  {
    name: "a 10 MB body",
    list: () => {
      const { orgUid: _uid, ...partial } = org(2, "Sales", top)
      return { body: page([top, { ...partial, notes: "x".repeat(10 * 1024 * 1024) }]) }
    }
  },
  {
    name: "a 10 MB string where a number belongs",
    list: () => ({ body: page([top, { ...org(2, "Sales", top), orgId: "x".repeat(10 * 1024 * 1024) }]) })
  },
  {
    name: "an org list that is not a list",
    list: () => ({ body: page([]).replace(`"orgs":[]`, `"orgs":"all of them"`) })
  },
  {
    // Counted as one page, the first page is the whole tenant: the client reads no further.
    name: "pages that never end, the same orgs on each, counted as two pages",
    list: (_, pgSize) => ({ body: page(samePage(pgSize), 2 * pgSize) }),
    ...endless
  },
  {
    name: "pages that never end, the same orgs on each, counted as a million",
    list: (_, pgSize) => ({ body: page(samePage(pgSize), 1_000_000) }),
    ...endless
  },
  {
    name: "pages that never end, new orgs on each, counted as a million",
    list: (pgNum, pgSize) => ({
      body: page(
        Array.from({ length: pgSize }, (_, i) =>
          pgNum === 1 && i === 0 ? top : org(pgNum * pgSize + i, `Org ${pgNum}-${i}`, top)),
        1_000_000
      )
    }),
    // Read up to the most orgs orgsync takes from one tenant, then refused.
    deadlineMillis: 60_000
  },
  {
    name: "a body that never ends",
    list: () => ({ start: page([top]).slice(0, -3), chunk: `,${JSON.stringify(org(2, "Sales", top))}`.repeat(100) }),
    ...endless
  },
  {
    name: "the top-level org claims to be its own parent",
    list: () => ({ body: page([self(1, "Hostile Tenant"), org(2, "Sales", top)]) })
  },
  {
    name: "the managed root claims to be its own parent",
    list: () => ({ body: page([top, self(2, "Managed"), org(3, "Sales", { orgId: 2 })]) }),
    root: `${1_000_000 + 2}`
  },
  {
    name: "two orgs claim each other as parent",
    list: () => ({
      body: page([top, org(2, "Engineering", { orgId: 3 }), org(3, "Platform", { orgId: 2 }), org(4, "Sales", top)])
    })
  }
]

interface Received {
  readonly method: string
  readonly url: string
}

/** The hostile server: a normal sign-in, the scenario's list, and a log of every request. */
const hostileServer = (scenario: Scenario) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly received: Array<Received>; readonly server: http.Server }>(
      (resume) => {
        const received: Array<Received> = []
        const server = http.createServer((request, response) => {
          received.push({ method: request.method ?? "", url: request.url ?? "" })
          const url = new URL(request.url ?? "/", "http://localhost")
          const route = url.pathname.toLowerCase()
          const send = (status: number, body: string) => {
            response.writeHead(status, { "content-type": "application/json" })
            response.end(body)
          }
          if (route === "/api/v3/auth/jwt") {
            return send(200, JSON.stringify({ data: { v3_user_token: "hostile-token" } }))
          }
          if (route === "/api/v1/org/my") return send(200, JSON.stringify({ data: top }))
          if (route === "/api/v1/org") {
            const answer = scenario.list(Number(url.searchParams.get("pgNum")), Number(url.searchParams.get("pgSize")))
            if ("body" in answer) return send(200, answer.body)
            response.writeHead(200, { "content-type": "application/json" })
            response.write(answer.start)
            const more = () => {
              while (!response.destroyed && response.write(answer.chunk));
            }
            response.on("drain", more)
            return more()
          }
          send(404, JSON.stringify([{ name: "SYSTEM", description: "Resource not found", objects: [] }]))
        })
        server.listen(0, "127.0.0.1", () =>
          resume(Effect.succeed({
            url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
            received,
            server
          })))
      }
    ),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

/** A desired tree that means writes, if orgsync got far enough to make them. */
const desiredYaml = (root: string | undefined) =>
  (root === undefined ? "" : `root: "${root}"\n`) +
  "orgs:\n  - name: Engineering\n    children:\n      - name: Platform\n  - name: Sales\n    status: blocked\n" +
  "  - name: Support\n"

describe.concurrent("hostile server answers", () => {
  for (const scenario of scenarios) {
    for (const command of ["plan", "apply"] as const) {
      const deadlineMillis = scenario.deadlineMillis ?? defaultDeadlineMillis
      it.scopedLive(`${command}: ${scenario.name}`, () =>
        Effect.gen(function*() {
          const server = yield* hostileServer(scenario)
          const dir = yield* tempDir("orgsync-hostile-server-")
          fs.writeFileSync(path.join(dir, "orgs.yaml"), desiredYaml(scenario.root))
          const run = yield* runOrgsync(
            [
              // A plan reads no state database (none at the default path of `dir`); an apply makes one.
              ...(command === "apply" ? ["apply", "--yes", "--state", path.join(dir, "state.db")] : ["plan"]),
              ...["--desired", path.join(dir, "orgs.yaml"), "--url", server.url]
            ],
            credentials,
            { deadlineMillis, memoryLimitMib: peakRssMib, cwd: dir }
          )
          const report = `exit ${run.code ?? run.signal} after ${run.millis} ms, ${run.peakRssMib.toFixed(0)} MiB, ` +
            `${server.received.length} requests; stderr: ${run.stderr.slice(0, 400)}`
          expect(run.stopped, report).toBeUndefined()
          expect(run.code, report).toBe(1)
          expect(stackTrace.test(run.stderr + run.stdout), report).toBe(false)
          expect(run.stderr.length, report).toBeLessThan(maxErrorText)
          expect(server.received.filter((r) => r.method !== "GET"), report).toEqual([])
          expect(run.peakRssMib, report).toBeLessThan(peakRssMib)
        }), deadlineMillis + 10_000)
    }
  }
})

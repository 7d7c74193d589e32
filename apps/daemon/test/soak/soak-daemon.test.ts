/**
 * Soak of the daemon: `orgsync run` on a folder of desired files that is edited at random, as people and
 * `git pull` would, with valid edits and broken ones, while the simulator injects faults. Every valid state
 * must converge; while a broken file is in place no write may reach Code42 (the tenant is converged, so any
 * write would come from the broken file); memory must stay flat; SIGTERM must stop it cleanly. `npm run soak`
 * runs it for 10 minutes.
 */
import { Simulator } from "@c42/simulator"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Schedule } from "effect"
import type { PCGRandom } from "effect/Utils"
import * as fs from "node:fs"
import * as path from "node:path"
import { credentials } from "../support/cli.js"
import { stackTrace, spawnOrgsync } from "../support/orgsync-process.js"
import { RandomTree } from "../support/random-tree.js"
import { tally, writes } from "../support/request-log.js"
import * as Soak from "../support/soak-scale.js"
import { managedRoot, tenant } from "../support/soak-tenant.js"
import { tempDir } from "../support/temp-dir.js"

const editingMillis = Soak.scaled(20_000, 600_000)

const faults: Partial<Simulator.Faults> = {
  faultRate: 0.15,
  faultStatuses: [500, 502, 503, 504, 429],
  resetRate: 0.01,
  lostResponseRate: 0.02,
  latencyMs: 1,
  jitterMs: 10
}

/** A folder's files, each written in place or, as editors save, to a temporary file renamed over it. */
const writeFiles = (dir: string, files: ReadonlyArray<readonly [string, string | Uint8Array]>, random: PCGRandom) => {
  for (const [name, content] of files) {
    const target = path.join(dir, name)
    if (random.number() < 0.5) {
      fs.writeFileSync(target, content)
    } else {
      fs.writeFileSync(`${target}.tmp`, content)
      fs.renameSync(`${target}.tmp`, target)
    }
  }
}

/** Insert `line` after a random line that starts an org entry. */
const afterSomeOrg = (yaml: string, line: (indent: string) => string, random: PCGRandom) => {
  const lines = yaml.split("\n")
  const entries = lines.flatMap((text, i) => (/^\s*- name:/.test(text) ? [i] : []))
  const at = entries[random.integer(entries.length)]!
  const indent = " ".repeat(lines[at]!.indexOf("-") + 2)
  return [...lines.slice(0, at + 1), line(indent), ...lines.slice(at + 1)].join("\n")
}

/** Ways a desired file gets broken, each on top of edits that would mean writes if they were applied. */
const breakages: ReadonlyArray<readonly [string, (yaml: string, random: PCGRandom) => string | Uint8Array]> = [
  ["unknown key", (yaml, random) => afterSomeOrg(yaml, (indent) => `${indent}colour: blue`, random)],
  ["short name", (yaml) => `${yaml}  - name: "X"\n`],
  ["duplicate sibling", (yaml) => `${yaml}${/^  - name: .*\n/m.exec(yaml)![0]}`],
  [
    "active under blocked",
    (yaml) =>
      `${yaml}  - name: "Blocked Parent"\n    status: blocked\n    children:\n` +
      `      - name: "Active Child"\n        status: active\n`
  ],
  ["half-written", (yaml, random) => `${yaml.slice(0, random.integer(yaml.length))}\n  - name: "unterminated\n`],
  ["tab indentation", (yaml, random) => afterSomeOrg(yaml, (indent) => `\t${indent}notes: tabbed`, random)],
  ["control character", (yaml) => `${yaml}  - name: "Bell\\u0007Org"\n`],
  ["10,000-character name", (yaml) => `${yaml}  - name: "${"N".repeat(10_000)}"\n`],
  ["binary", (_, random) => Uint8Array.from({ length: 4096 }, () => random.integer(256))],
  ["UTF-16", (yaml) => new Uint8Array(Buffer.from(`\ufeff${yaml}`, "utf16le"))],
  ["unknown parent anchor", (yaml) =>
    /^parent: /m.test(yaml) ? yaml.replace(/^parent: .*$/m, `parent: "No Such Org"`) : `parent: "No Such Org"\n${yaml}`]
]

/** What this test reads of `/api/status`. */
interface StatusView {
  readonly running: boolean
  readonly desired: { readonly valid: boolean | null }
  readonly lastPass: { readonly result: string; readonly startedAt: string } | null
}

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0

describe(`soak: daemon (${Soak.label}, seed ${Soak.seed})`, () => {
  for (const [server, rules] of Soak.servers) {
    it.scopedLive(`converges every valid edit for ${editingMillis / 1000} s, writes nothing from a broken file (${server})`, () =>
      Effect.gen(function*() {
        const random = Soak.random()
        const sim = yield* Simulator.start({ port: 0, seed: tenant, randomSeed: Soak.seed, rules })
        const tree = RandomTree.generate(Soak.scaled(25, 60), random, managedRoot)
        const dir = yield* tempDir("orgsync-soak-daemon-")
        const desired = path.join(dir, "desired")
        fs.mkdirSync(desired)
        const validFiles = () => Object.entries(tree.files())
        writeFiles(desired, validFiles(), random)
        sim.setFaults(faults)

        const daemon = yield* spawnOrgsync([
          "run",
          "--desired",
          desired,
          "--state",
          path.join(dir, "state.db"),
          "--url",
          sim.url,
          "--listen",
          "127.0.0.1:0",
          "--interval",
          "5s"
        ], credentials)
        const statusUrl = (yield* daemon.waitFor(/status page on (http:\/\/[^\s"]+?)\/?"/))[1]!
        const status = Effect.promise(() =>
          fetch(`${statusUrl}/api/status`).then((response) => response.json() as Promise<StatusView>)
        )
        const poll = <A>(what: string, check: Effect.Effect<A | undefined>, timeout: Duration.DurationInput) =>
          check.pipe(
            Effect.flatMap((found) => (found === undefined ? Effect.fail(what) : Effect.succeed(found))),
            Effect.retry({ schedule: Schedule.spaced("200 millis"), while: () => true }),
            Effect.timeoutFail({ duration: timeout, onTimeout: () => what })
          )

        /**
         * Until the tenant is exactly as desired and the daemon, idle, says so of a pass it started after the
         * edit: only then can no write of that edit still be in flight.
         */
        const converged = (edited: number, edits: ReadonlyArray<string>) =>
          poll(
            "convergence",
            Effect.gen(function*() {
              if (tree.mismatches(sim.orgs()).length > 0) return undefined
              const now = yield* status
              const pass = now.lastPass
              const settled = !now.running && now.desired.valid === true && pass?.result === "converged" &&
                Date.parse(pass.startedAt) >= edited
              return settled ? Date.now() - edited : undefined
            }),
            Soak.scaled("60 seconds", "3 minutes")
          ).pipe(
            Effect.catchAll(() =>
              Effect.dieMessage(
                `no convergence after ${edits.join(", ")}: ${tree.mismatches(sim.orgs()).slice(0, 10).join("; ")}\n` +
                  daemon.stdout().split("\n").slice(-15).join("\n")
              )
            )
          )

        yield* converged(0, ["start"])
        const rss: Array<number> = []
        yield* Effect.sync(() => {
          const now = daemon.rssMib()
          if (now !== undefined) rss.push(now)
        }).pipe(
          Effect.repeat(Schedule.spaced("1 second")),
          Effect.forkScoped
        )

        const started = Date.now()
        const settleTimes: Array<number> = []
        const broken: Array<string> = []
        while (Date.now() - started < editingMillis) {
          if (random.number() < 0.65) {
            const edits = tree.edit(1 + random.integer(4))
            const edited = Date.now()
            writeFiles(desired, validFiles(), random)
            settleTimes.push(yield* converged(edited, edits))
            continue
          }
          const [kind, breakIt] = breakages[random.integer(breakages.length)]!
          const tempting = tree.clone(random)
          tempting.edit(3)
          // Break a file that lists orgs (the team's file may hold none).
          const teamHasOrgs = /- name:/.test(tempting.files()["team.yaml"]!)
          const [first, second] = teamHasOrgs && random.number() < 0.5
            ? ["team.yaml", "orgs.yaml"]
            : ["orgs.yaml", "team.yaml"]
          const mark = sim.requests().length
          // The broken file first: no moment in between may hold a valid folder.
          const files = tempting.files()
          writeFiles(desired, [[first, breakIt(files[first]!, random)], [second, files[second]!]], random)
          const rejected = Effect.map(status, (now) => now.desired.valid === false || undefined)
          yield* poll("the daemon to reject the broken file", rejected, "15 seconds")
          yield* Effect.sleep(Duration.millis(500 + random.integer(2_000)))
          expect(writes(sim.requests().slice(mark)), `writes while ${first} was broken (${kind})`).toEqual([])
          broken.push(kind)
          // Repaired the other way round, for the same reason.
          const edited = Date.now()
          writeFiles(desired, [[second, tree.files()[second]!], [first, tree.files()[first]!]], random)
          yield* converged(edited, [`repair of ${kind}`])
        }

        const samples = [...rss]
        const stopping = Date.now()
        daemon.kill("SIGTERM")
        const exit = yield* daemon.exited
        expect(exit.code, exit.stderr).toBe(0)
        expect(Date.now() - stopping).toBeLessThan(10_000)
        expect(stackTrace.test(exit.stdout + exit.stderr)).toBe(false)

        // After a warm-up quarter, the last quarter's resident memory stays near the second quarter's.
        const quarter = Math.floor(samples.length / 4)
        const early = median(samples.slice(quarter, 2 * quarter))
        const late = median(samples.slice(-quarter))
        expect(late - early).toBeLessThan(Soak.scaled(64, 48))

        console.log(
          `soak daemon (${Soak.label}, seed ${Soak.seed}): ${(Date.now() - started) / 1000} s, ${settleTimes.length} ` +
            `valid edits converged (median ${median(settleTimes)} ms, max ${Math.max(...settleTimes)} ms), ` +
            `${broken.length} broken files without a write (${[...new Set(broken)].join(", ")}); ` +
            `RSS ${samples[0]?.toFixed(0)} MiB at start, median ${early.toFixed(0)} then ${late.toFixed(0)} MiB, ` +
            `max ${Math.max(...samples).toFixed(0)} MiB; ${tally(sim.requests())}`
        )
      }), Soak.scaled(150_000, 1_200_000))
  }
})

/**
 * Two-factor codes from CODE42_TOTP_SECRET: the RFC 6238 test vectors, a fresh code at a sign-in 30 seconds
 * later (TestClock), the static CODE42_TOTP beside it, and a secret that never shows.
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Logger, Redacted, TestClock } from "effect"
import { inspect } from "node:util"
import * as ClientConfig from "../src/ClientConfig.js"
import * as OrgClient from "../src/OrgClient.js"
import * as Fake from "./fake-code42.js"

// RFC 6238 appendix B: the SHA-1 seed "12345678901234567890", in base32. Its codes have 8 digits; 6-digit codes
// are their last six.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
const rfcVectors: ReadonlyArray<readonly [seconds: number, code: string]> = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"]
]

const codeSource = (secret: string) => Either.getOrThrow(ClientConfig.totpFromSecret(Redacted.make(secret)))

const env = (variables: Record<string, string>) =>
  Effect.withConfigProvider(ClientConfig.fromEnv, ConfigProvider.fromMap(new Map(Object.entries(variables))))

const account = { CODE42_URL: "https://code42.example.com", CODE42_USERNAME: "admin", CODE42_PASSWORD: "pw" }

describe("TOTP secret", () => {
  it.effect("gives the RFC 6238 SHA-1 codes, six digits, at each test vector's time", () =>
    Effect.gen(function*() {
      const code = codeSource(rfcSecret)
      for (const [seconds, expected] of rfcVectors) {
        yield* TestClock.setTime(seconds * 1000)
        expect(Redacted.value(yield* code)).toBe(expected.slice(-6))
      }
    }))

  it.effect("reads the secret as authenticator apps do: any case, spaces and padding ignored", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(59_000)
      expect(Redacted.value(yield* codeSource("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"))).toBe("287082")
      expect(Redacted.value(yield* codeSource("GEZDGNBVGY3TQOJQ===="))).toBe(
        Redacted.value(yield* codeSource("GEZDGNBVGY3TQOJQ"))
      )
    }))

  it.scoped("a sign-in 30 seconds later sends the new code", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(59_000)
      let answered = 0
      const fake = yield* Fake.make(() =>
        Effect.succeed(++answered === 2 ? Fake.error(401, "SYSTEM", "Token expired") : Fake.data(Fake.org(5)))
      )
      const config = yield* env({ ...account, CODE42_TOTP_SECRET: rfcSecret })
      const client = yield* OrgClient.make({ ...config, api: "v1" }).pipe(Effect.provide(fake.layer), Effect.orDie)
      yield* client.getById(5)
      yield* TestClock.adjust("30 seconds")
      // The token is refused: the client signs in again, with the code of the new 30-second step.
      yield* client.getById(5)
      const codes = Fake.signIns(yield* fake.received).map((r) => [r.at, r.headers["totp-auth"]])
      expect(codes).toEqual([[59_000, "287082"], [89_000, Redacted.value(yield* codeSource(rfcSecret))]])
      expect(codes[1]![1]).not.toBe("287082")
    }))

  it.effect("the static CODE42_TOTP stays for one-shot commands; both at once are refused", () =>
    Effect.gen(function*() {
      const config = yield* env({ ...account, CODE42_TOTP: "123456" })
      expect(config.auth._tag === "LocalAccount" && Redacted.value(yield* config.auth.totp!)).toBe("123456")
      const both = yield* Effect.flip(env({ ...account, CODE42_TOTP: "123456", CODE42_TOTP_SECRET: rfcSecret }))
      expect(String(both)).toContain("Both CODE42_TOTP and CODE42_TOTP_SECRET are set")
    }))

  it.effect("a secret that is not base32 is refused with the variable's name, and never quoted", () =>
    Effect.gen(function*() {
      const secret = "not-a-secret!1"
      const error = yield* Effect.flip(env({ ...account, CODE42_TOTP_SECRET: secret }))
      expect(String(error)).toContain("CODE42_TOTP_SECRET is not a base32 secret")
      expect(String(error)).not.toContain(secret)
      expect(String(error)).not.toContain("!")
    }))

  it.effect("a secret too short to be an authenticator's is refused as such, and a blank one as empty", () =>
    Effect.gen(function*() {
      const short = yield* Effect.flip(env({ ...account, CODE42_TOTP_SECRET: "a" }))
      expect(String(short)).toContain("CODE42_TOTP_SECRET is too short for an authenticator secret")
      const eight = yield* Effect.flip(env({ ...account, CODE42_TOTP_SECRET: "JBSWY3DP" }))
      expect(String(eight)).toContain("CODE42_TOTP_SECRET is too short for an authenticator secret")
      const blank = yield* Effect.flip(env({ ...account, CODE42_TOTP_SECRET: " = " }))
      expect(String(blank)).toContain("CODE42_TOTP_SECRET is empty")
    }))

  it.scoped("the secret never shows: not in the settings, not in the logs of a sign-in", () =>
    Effect.gen(function*() {
      const secret = "JBSWY3DPEHPK3PXP"
      const config = yield* env({ ...account, CODE42_TOTP_SECRET: secret })
      expect(inspect(config, { depth: 10 })).not.toContain(secret)
      expect(JSON.stringify(config)).not.toContain(secret)
      const lines: Array<string> = []
      const capture = Logger.replace(
        Logger.defaultLogger,
        Logger.map(Logger.logfmtLogger, (line) => lines.push(line))
      )
      const fake = yield* Fake.make(Fake.script(Fake.answer(503), Fake.data(Fake.org(5))))
      const client = yield* OrgClient.make({ ...config, api: "v1" }).pipe(Effect.provide(fake.layer), Effect.orDie)
      const fiber = yield* Effect.fork(client.getById(5).pipe(Effect.provide(capture)))
      yield* TestClock.adjust("1 minute")
      yield* fiber
      expect(lines.join("\n")).toContain("retrying getById")
      expect(lines.join("\n")).not.toContain(secret)
    }))
})

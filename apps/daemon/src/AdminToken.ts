/**
 * The admin API's token: `ORGSYNC_ADMIN_TOKEN`, or the first line of the file `ORGSYNC_ADMIN_TOKEN_FILE` names,
 * read by the daemon (which checks requests against it) and by the admin commands (which send it). It is
 * `Redacted` from the moment it is read, and compared in constant time.
 */
import { Config, Context, Data, Effect, Option, Redacted } from "effect"
import { createHash, timingSafeEqual } from "node:crypto"
import * as fs from "node:fs"

/** The admin token, when one is configured. */
export class AdminToken extends Context.Tag("@c42/daemon/AdminToken")<
  AdminToken,
  Option.Option<Redacted.Redacted<string>>
>() {}

export class AdminTokenError extends Data.TaggedError("AdminTokenError")<{ readonly message: string }> {}

/** `ORGSYNC_ADMIN_TOKEN`, or the first line of the file `ORGSYNC_ADMIN_TOKEN_FILE` names. */
export const tokenFromEnv: Effect.Effect<Option.Option<Redacted.Redacted<string>>, AdminTokenError> = Effect.gen(
  function*() {
    const read = <A>(config: Config.Config<A>) =>
      Effect.mapError(config, (error) => new AdminTokenError({ message: String(error) }))
    const value = yield* read(Config.option(Config.redacted("ORGSYNC_ADMIN_TOKEN")))
    const file = yield* read(Config.option(Config.string("ORGSYNC_ADMIN_TOKEN_FILE")))
    if (Option.isSome(value) && Option.isSome(file)) {
      return yield* new AdminTokenError({ message: "set ORGSYNC_ADMIN_TOKEN or ORGSYNC_ADMIN_TOKEN_FILE, not both" })
    }
    const token = Option.isSome(file)
      ? Redacted.make(
        (yield* Effect.try({
          try: () => fs.readFileSync(file.value, "utf8"),
          catch: (e) =>
            new AdminTokenError({
              message: `ORGSYNC_ADMIN_TOKEN_FILE ${file.value}: cannot read it (${(e as NodeJS.ErrnoException).code ?? "error"})`
            })
        })).split(/\r?\n/)[0]!.trim()
      )
      : Option.getOrUndefined(value)
    if (token === undefined) return Option.none()
    if (Redacted.value(token).length < 16) {
      return yield* new AdminTokenError({
        message: `${Option.isSome(file) ? "ORGSYNC_ADMIN_TOKEN_FILE" : "ORGSYNC_ADMIN_TOKEN"}: the admin token must be ` +
          "at least 16 characters (e.g. openssl rand -hex 32)"
      })
    }
    return Option.some(token)
  }
)

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest()

/** Compares digests of equal length, so that the time taken says nothing about the token. */
export const sameToken = (given: string, token: Redacted.Redacted<string>): boolean =>
  timingSafeEqual(digest(given), digest(Redacted.value(token)))

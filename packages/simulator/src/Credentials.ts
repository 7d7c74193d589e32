/**
 * Who may call the simulated tenant (code42-api.md section 5): local accounts, optionally with two-factor,
 * signing in for a `v3_user_token`, and API clients trading their secret for an OAuth access token. Tokens are
 * JWT-shaped and live until they expire or `expireAll` revokes them; only tokens issued here are accepted.
 */
import { Data, Either } from "effect"
import { createHmac, randomBytes } from "node:crypto"
import type * as Seed from "./Seed.js"
import * as Totp from "./Totp.js"

export interface ApiClient {
  readonly clientId: string
  readonly secret: string
}

/** A local account with the ids `User/my` reports. */
export interface Account extends Seed.SeedUser {
  readonly userId: number
  readonly userUid: string
}

export type Principal =
  | { readonly _tag: "User"; readonly account: Account }
  | { readonly _tag: "ApiClient"; readonly clientId: string }

/** A refused sign-in, with the Code42 error code to answer. */
export class AuthRefused extends Data.TaggedError("AuthRefused")<{
  readonly code: string
  readonly description: string
}> {}

/** Token lifetimes, in seconds. */
export interface Lifetimes {
  readonly userSeconds: number
  readonly clientSeconds: number
}

export const defaultLifetimes: Lifetimes = { userSeconds: 3600, clientSeconds: 900 }

export const invalidCredentials = "Invalid or missing credentials"

const badCredentials = () => Either.left(new AuthRefused({ code: "SYSTEM", description: invalidCredentials }))

const base64url = (value: string | Buffer) => Buffer.from(value).toString("base64url")

/** The user (or client id) and secret of a `Basic` authorization header. */
export interface BasicCredentials {
  readonly user: string
  readonly secret: string
}

export const parseBasic = (authorization: string | undefined): BasicCredentials | undefined => {
  const match = authorization?.match(/^basic\s+(\S+)$/i)
  if (match === undefined || match === null) return undefined
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  return colon === -1 ? undefined : { user: decoded.slice(0, colon), secret: decoded.slice(colon + 1) }
}

/** Both forms clients send: `Bearer X` and, from older SDKs, `v3_user_token X`. */
const parseToken = (authorization: string | undefined): string | undefined =>
  authorization?.match(/^(?:bearer|v3_user_token)\s+(\S+)$/i)?.[1]

interface Issued {
  readonly principal: Principal
  readonly expiresAt: number
}

export class Credentials {
  private accounts: ReadonlyArray<Account> = []
  private readonly clients: ReadonlyMap<string, ApiClient>
  private readonly tokens = new Map<string, Issued>()
  private readonly signingKey = randomBytes(32)
  private sweepAt = 1024

  constructor(
    accounts: ReadonlyArray<Seed.SeedUser>,
    clients: ReadonlyArray<ApiClient>,
    private readonly lifetimes: Lifetimes
  ) {
    this.clients = new Map(clients.map((client) => [client.clientId, client]))
    this.setAccounts(accounts)
  }

  /** Replaces the local accounts (a reset brings its own); tokens already issued stay valid. */
  setAccounts(accounts: ReadonlyArray<Seed.SeedUser>): void {
    this.accounts = accounts.map((account, index) => ({
      ...account,
      userId: index + 1,
      userUid: "9" + String(index + 1).padStart(18, "0")
    }))
  }

  /** `GET /api/v3/auth/jwt`: Basic credentials, plus the current TOTP code for two-factor accounts. */
  signIn(
    authorization: string | undefined,
    totpCode: string | undefined,
    nowMillis: number,
    tenantUid: string
  ): Either.Either<string, AuthRefused> {
    const basic = parseBasic(authorization)
    const account = this.accounts.find((candidate) => candidate.username === basic?.user)
    if (basic === undefined || account === undefined || account.password !== basic.secret) return badCredentials()
    if (account.totpSecret !== undefined) {
      if (totpCode === undefined || totpCode === "") {
        return Either.left(
          new AuthRefused({
            code: "TIME_BASED_ONE_TIME_PASSWORD_REQUIRED",
            description: "This account requires a time-based one-time password"
          })
        )
      }
      if (!Totp.verify(account.totpSecret, totpCode, nowMillis)) {
        return Either.left(
          new AuthRefused({
            code: "INVALID_TIME_BASED_ONE_TIME_PASSWORD",
            description: "The time-based one-time password is not valid"
          })
        )
      }
    }
    return Either.right(this.issue({ _tag: "User", account }, this.lifetimes.userSeconds, nowMillis, tenantUid))
  }

  /** `POST /api/v3/oauth/token` and `POST /v1/oauth`: a client id and secret, from Basic or a form. */
  clientToken(
    credentials: BasicCredentials | undefined,
    nowMillis: number,
    tenantUid: string
  ): Either.Either<string, AuthRefused> {
    const client = credentials === undefined ? undefined : this.clients.get(credentials.user)
    if (credentials === undefined || client === undefined || client.secret !== credentials.secret) {
      return badCredentials()
    }
    return Either.right(
      this.issue({ _tag: "ApiClient", clientId: client.clientId }, this.lifetimes.clientSeconds, nowMillis, tenantUid)
    )
  }

  get clientTokenSeconds(): number {
    return this.lifetimes.clientSeconds
  }

  /** The caller behind an `Authorization` header, if its token is one of ours and still valid. */
  authenticate(authorization: string | undefined, nowMillis: number): Principal | undefined {
    const token = parseToken(authorization)
    const issued = token === undefined ? undefined : this.tokens.get(token)
    if (issued === undefined) return undefined
    if (issued.expiresAt <= nowMillis) {
      this.tokens.delete(token!)
      return undefined
    }
    return issued.principal
  }

  /** Revokes every token issued so far. */
  expireAll(): void {
    this.tokens.clear()
  }

  /** A JWT whose claims carry the tenant, which the Incydr SDK reads as `tenantUid`. */
  private issue(principal: Principal, lifetimeSeconds: number, nowMillis: number, tenantUid: string): string {
    if (this.tokens.size >= this.sweepAt) this.sweep(nowMillis)
    const iat = Math.floor(nowMillis / 1000)
    const subject = principal._tag === "User" ? principal.account.username : principal.clientId
    const unsigned = `${base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${
      base64url(
        JSON.stringify({
          sub: subject,
          tenantUid,
          iat,
          exp: iat + lifetimeSeconds,
          jti: randomBytes(12).toString("hex")
        })
      )
    }`
    const token = `${unsigned}.${base64url(createHmac("sha256", this.signingKey).update(unsigned).digest())}`
    this.tokens.set(token, { principal, expiresAt: nowMillis + lifetimeSeconds * 1000 })
    return token
  }

  /** Drops expired tokens, so a long soak test that signs in again and again does not grow the map forever. */
  private sweep(nowMillis: number): void {
    for (const [token, issued] of this.tokens) {
      if (issued.expiresAt <= nowMillis) this.tokens.delete(token)
    }
    this.sweepAt = Math.max(1024, this.tokens.size * 2)
  }
}

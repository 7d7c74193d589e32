/**
 * The typed failures of the Code42 client: one class per HTTP status class, per Code42 organization rule and
 * per way a request can go wrong on the wire. Callers recover with `Effect.catchTag`.
 *
 * Every error names the `operation` that failed (e.g. "createOrg") and, when the server answered, its `status`
 * and the Code42 error `errorName` / `description` from the body. Messages are written for a person and never
 * contain a credential or a token.
 */
import { Data } from "effect"

/** What every error knows about the failed call. */
export interface Details {
  /** The client method that failed, e.g. "createOrg"; "signIn" when fetching a token failed. */
  readonly operation: string
  /** The HTTP status, when the server answered. */
  readonly status?: number | undefined
  /** The Code42 error name from the body, e.g. "SYSTEM". */
  readonly errorName?: string | undefined
  /** The Code42 error description from the body, e.g. "Organization was not found". */
  readonly description?: string | undefined
}

/**
 * The Code42 codes of the organization rules (code42-api.md sections 3, 8 and 9): each means the write did not
 * happen, whatever the HTTP status that carried it.
 */
export const orgRuleCodes = [
  "ORG_DUPLICATE",
  "PARENT_ORG_BLOCKED",
  "PARENT_ORG_NOT_ACTIVE",
  "PARENT_ORG_IS_BLOCKED",
  "ORG_NAME_MISSING",
  "ORG_NAME_TOO_SHORT",
  "ALREADY_BLOCKED",
  "NOT_BLOCKED"
] as const

export type OrgRuleCode = typeof orgRuleCodes[number]

export const isOrgRuleCode = (name: string): name is OrgRuleCode =>
  (orgRuleCodes as ReadonlyArray<string>).includes(name)

/** " (400 SYSTEM: Organization was not found)", or "" when the server said nothing. */
const answered = (details: Details): string => {
  const parts = [
    details.status === undefined ? undefined : String(details.status),
    details.errorName === undefined
      ? details.description
      : details.description === undefined
      ? details.errorName
      : `${details.errorName}: ${details.description}`
  ].filter((part): part is string => part !== undefined && part !== "")
  return parts.length === 0 ? "" : ` (${parts.join(" ")})`
}

/** 400: the request was malformed or refused for a reason other than an organization rule. */
export class BadRequestError extends Data.TaggedError("BadRequestError")<Details> {
  override get message(): string {
    return `${this.operation}: Code42 refused the request${answered(this)}; check the values sent.`
  }
}

/** 401 twice in a row (after fetching a fresh token), or the sign-in itself was refused. */
export class UnauthorizedError extends Data.TaggedError("UnauthorizedError")<Details> {
  override get message(): string {
    return `${this.operation}: Code42 rejected the credentials${answered(this)}; check the username, password ` +
      `and two-factor code, or the API client id and secret.`
  }
}

/** 403: the signed-in account may not do this. */
export class ForbiddenError extends Data.TaggedError("ForbiddenError")<Details> {
  override get message(): string {
    return `${this.operation}: the signed-in account is not allowed to do this${answered(this)}; ` +
      `grant it an administrator role for the organizations.`
  }
}

/** 404, or an answer saying "Organization was not found" or "Unable to find org" (v1 says so with 400). */
export class NotFoundError extends Data.TaggedError("NotFoundError")<Details> {
  override get message(): string {
    return `${this.operation}: the organization was not found${answered(this)}; it may have been removed, ` +
      `or the id is wrong.`
  }
}

/** 409 without an organization rule code. */
export class ConflictError extends Data.TaggedError("ConflictError")<Details> {
  override get message(): string {
    return `${this.operation}: Code42 reported a conflict${answered(this)}; re-read the organizations and retry.`
  }
}

/** 429 that persisted through every retry. */
export class RateLimitedError extends Data.TaggedError("RateLimitedError")<Details> {
  override get message(): string {
    return `${this.operation}: Code42 kept answering "too many requests"${answered(this)}; lower the client's ` +
      `rate limit or try again later.`
  }
}

/** 5xx that persisted through every retry (or any 5xx of a call that is not retried). */
export class ServerError extends Data.TaggedError("ServerError")<Details> {
  override get message(): string {
    return `${this.operation}: Code42 failed to handle the request${answered(this)}; try again later.`
  }
}

/** The request never got an answer: connection refused or reset, timeout, invalid address. */
export class TransportError extends Data.TaggedError("TransportError")<Details & {
  /** What went wrong on the wire, e.g. "connection refused (ECONNREFUSED)". */
  readonly reason: string
}> {
  override get message(): string {
    return `${this.operation}: no answer from Code42: ${this.reason}${answered(this)}; check the URL and the ` +
      `network.`
  }
}

/** The server answered with a body that is not what the API describes. */
export class DecodeError extends Data.TaggedError("DecodeError")<Details & {
  /** Which part of the answer was unexpected. */
  readonly reason: string
}> {
  override get message(): string {
    return `${this.operation}: Code42 answered in an unexpected form${answered(this)}: ${this.reason}`
  }
}

/** Code42 refused a write by one of its organization rules, whatever the status it used to say so. */
export class OrgRuleError extends Data.TaggedError("OrgRuleError")<Details & {
  readonly code: OrgRuleCode
}> {
  override get message(): string {
    return `${this.operation}: Code42 refused the change${answered(this)}: ${ruleAdvice[this.code]}`
  }
}

const ruleAdvice: Record<OrgRuleCode, string> = {
  ORG_DUPLICATE: "another organization already has this name; choose another name.",
  PARENT_ORG_BLOCKED: "the parent organization is blocked; unblock it first.",
  PARENT_ORG_NOT_ACTIVE: "the parent organization is deactivated; reactivate it first.",
  PARENT_ORG_IS_BLOCKED: "an organization above it is blocked; unblock that one first.",
  ALREADY_BLOCKED: "the organization is already blocked.",
  NOT_BLOCKED: "the organization is not blocked.",
  ORG_NAME_MISSING: "the organization name is missing.",
  ORG_NAME_TOO_SHORT: "the organization name is too short (at least 3 characters)."
}

/**
 * Code42 refused an action with a generic code (500 `SYSTEM`), e.g. blocking or deactivating the signed-in
 * user's own org: final, not a server fault, so never retried.
 */
export class RefusedError extends Data.TaggedError("RefusedError")<Details> {
  override get message(): string {
    return `${this.operation}: Code42 refused the action${answered(this)}; it refuses to block, unblock, ` +
      `deactivate or reactivate the signed-in user's own organization.`
  }
}

/**
 * A listing that did not hold what it announced (it ended before its `totalCount`, ran past it, or repeated
 * an org), even after being read again: nothing may be decided from it.
 */
export class InconsistentListingError extends Data.TaggedError("InconsistentListingError")<Details & {
  /** What was promised and what came, e.g. "the org listing announced 6 orgs but returned 3". */
  readonly detail: string
  /** How many times the whole listing was read. */
  readonly reads: number
}> {
  override get message(): string {
    return `${this.operation}: ${this.detail} after ${this.reads} ${this.reads === 1 ? "read" : "reads"}; ` +
      `Code42 may be changing or failing: nothing was decided from it, try again later.`
  }
}

/** The server asked to wait longer than the client's `maxRetryAfter`: the call fails at once instead. */
export class RetryAfterTooLongError extends Data.TaggedError("RetryAfterTooLongError")<Details & {
  /** The server's demand, in seconds. */
  readonly retryAfterSeconds: number
  readonly maxRetryAfterSeconds: number
}> {
  override get message(): string {
    return `${this.operation}: the server asked to wait ${this.retryAfterSeconds} s (over maxRetryAfter ` +
      `${this.maxRetryAfterSeconds} s); try again later or raise maxRetryAfter.`
  }
}

/** Sign-in reached something that is not the Code42 API (a 404, an HTML page): the URL is probably wrong. */
export class WrongUrlError extends Data.TaggedError("WrongUrlError")<Details & {
  /** The address signed in to, without credentials. */
  readonly url: string
  /** What came back, e.g. "404" or "an HTML page". */
  readonly answer: string
}> {
  override get message(): string {
    return `${this.operation}: ${this.url} answered the sign-in with ${this.answer}: the URL is probably wrong; ` +
      `use the address of the Code42 console, e.g. https://console.us.code42.com.`
  }
}

/** The configured endpoint family has no such operation (the gateway cannot block, for one). */
export class UnsupportedByApiError extends Data.TaggedError("UnsupportedByApiError")<Details & {
  /** The endpoint family, e.g. "gateway". */
  readonly api: string
}> {
  override get message(): string {
    return `${this.operation}: the ${this.api} API family has no such operation; use api "v3", which has every ` +
      `operation.`
  }
}

/**
 * A create or update that may or may not have taken effect: the request left, and then the connection broke,
 * the call timed out or the server answered 5xx. It is never re-sent blindly; the caller must re-read.
 */
export class UnknownOutcomeError extends Data.TaggedError("UnknownOutcomeError")<Details & {
  /** Why the outcome is unknown, e.g. "the connection was reset after the request was sent". */
  readonly reason: string
  /** Code42 answered success without the org the create made: it happened, and only its org is unknown. */
  readonly accepted?: boolean | undefined
}> {
  override get message(): string {
    return `${this.operation}: the outcome is unknown, ${this.reason}${answered(this)}; re-read the ` +
      `organizations before trying again.`
  }
}

export type Code42Error =
  | BadRequestError
  | UnauthorizedError
  | ForbiddenError
  | NotFoundError
  | ConflictError
  | RateLimitedError
  | ServerError
  | TransportError
  | DecodeError
  | OrgRuleError
  | RefusedError
  | InconsistentListingError
  | RetryAfterTooLongError
  | WrongUrlError
  | UnsupportedByApiError
  | UnknownOutcomeError

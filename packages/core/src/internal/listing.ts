/**
 * Reading a whole org listing page by page, and checking that it holds what it announced. The count decides
 * where a listing ends (a server may serve fewer orgs a page than asked); only without a count does the first
 * page shorter than pgSize end it. A listing that ends before its count, runs past it or repeats an org is
 * read again from the start, and refused if it stays so: nothing may be decided from a partial tenant.
 */
import { Data, Duration, Effect, Schedule, Stream } from "effect"
import * as Code42Error from "../Code42Error.js"
import type * as Org from "../Org.js"

/**
 * The most orgs one listing may hold. Real tenants hold thousands; a listing past this is a server that does
 * not stop, and reading on would only exhaust memory.
 */
export const maxListed = 150_000

/** List pages in flight at once once the first page has told how many there are. */
const readAhead = 4

/** Whole reads of an inconsistent listing before it is refused. */
const reads = 3

class Inconsistent extends Data.TaggedError("Inconsistent")<{
  readonly detail: string
  /** Whether reading again may help (a tenant that changed meanwhile). */
  readonly transient: boolean
}> {}

/** The orgs of the pages read so far, by uid, refusing one listed twice. */
const collector = () => {
  const uids = new Set<string>()
  return {
    get size() {
      return uids.size
    },
    add: (page: Org.OrgPage): Effect.Effect<void, Inconsistent> => {
      for (const org of page.orgs) {
        if (uids.has(org.orgUid)) {
          return Effect.fail(new Inconsistent({ detail: `the org listing returned org ${org.orgUid} twice`, transient: true }))
        }
        uids.add(org.orgUid)
      }
      return uids.size > maxListed
        ? Effect.fail(new Inconsistent({ detail: `the org listing ran past ${maxListed} orgs`, transient: false }))
        : Effect.void
    }
  }
}

/** One read of the whole listing. */
const readOnce = <E>(
  fetch: (pgNum: number) => Effect.Effect<Org.OrgPage, E>,
  pgSize: number
): Effect.Effect<ReadonlyArray<Org.OrgPage>, E | Inconsistent> =>
  Effect.gen(function*() {
    const first = yield* fetch(1)
    const pages = [first]
    const orgs = collector()
    yield* orgs.add(first)
    const announced = first.totalCount
    if (announced === undefined) {
      for (let last = first, pgNum = 2; last.orgs.length >= pgSize; pgNum++) {
        last = yield* fetch(pgNum)
        pages.push(last)
        yield* orgs.add(last)
      }
      return pages
    }
    const differs = () =>
      new Inconsistent({
        detail: `the org listing announced ${announced} orgs but returned ${orgs.size}`,
        transient: true
      })
    if (announced > maxListed) {
      return yield* new Inconsistent({
        detail: `the org listing announced ${announced} orgs, more than the ${maxListed} the client reads`,
        transient: false
      })
    }
    if (orgs.size > announced) return yield* differs()
    // The first page tells how many orgs a page holds on this server, whatever pgSize asked for. The pages the
    // count still needs are read a few at once, a page asked for as soon as one in flight is in, and taken in
    // order; the first empty page ends the listing, so that a lying count costs a few requests, not thousands.
    const perPage = first.orgs.length
    if (perPage === 0) return orgs.size === announced ? pages : yield* differs()
    // Pages fewer orgs than the first one held need more pages than the count said: another run of them.
    let pgNum = 2
    while (orgs.size < announced) {
      const from = pgNum
      const needed = Math.ceil((announced - orgs.size) / perPage)
      yield* Stream.range(from, from + needed - 1).pipe(
        Stream.mapEffect(fetch, { concurrency: readAhead }),
        Stream.takeWhile((page) => page.orgs.length > 0),
        Stream.runForEach((page) => {
          pages.push(page)
          pgNum++
          return orgs.add(page)
        })
      )
      if (pgNum < from + needed) break
    }
    return orgs.size === announced ? pages : yield* differs()
  })

/**
 * Every page of the listing, read again (after a back-off from `base`) while it is inconsistent, at most
 * `reads` times in all; then an `InconsistentListingError` of `operation`.
 */
export const read = <E>(
  operation: string,
  fetch: (pgNum: number) => Effect.Effect<Org.OrgPage, E>,
  pgSize: number,
  base: Duration.Duration
): Effect.Effect<ReadonlyArray<Org.OrgPage>, E | Code42Error.InconsistentListingError> =>
  Effect.suspend(() => {
    let count = 0
    return Effect.suspend(() => {
      count++
      return readOnce(fetch, pgSize)
    }).pipe(
      Effect.tapError((error) =>
        error instanceof Inconsistent && error.transient && count < reads
          ? Effect.logInfo("reading the org listing again").pipe(
            Effect.annotateLogs({ operation, reason: error.detail, read: count + 1 })
          )
          : Effect.void
      ),
      Effect.retry({
        schedule: Schedule.exponential(base).pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(reads - 1))),
        while: (error) => error instanceof Inconsistent && error.transient
      }),
      Effect.catchIf(
        (error): error is Inconsistent => error instanceof Inconsistent,
        (inconsistent) =>
          Effect.fail(new Code42Error.InconsistentListingError({ operation, detail: inconsistent.detail, reads: count }))
      )
    )
  })

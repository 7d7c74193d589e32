/**
 * What the admin commands (approve, reject, suspend, resume) share: each reaches the running daemon at the
 * `listen` address of the settings, with the admin token from the environment.
 */
import type { HttpClient } from "@effect/platform"
import { Effect } from "effect"
import { exitWith } from "../ExitCode.js"
import * as Settings from "../Settings.js"

/** An admin command: `request` is made to the daemon's `listen` address; its answer is the exit code. */
export const admin = (
  flags: Settings.Flags,
  request: (listen: Settings.Settings["listen"]) => Effect.Effect<number, never, HttpClient.HttpClient>
) =>
  exitWith(Effect.gen(function*() {
    const settings = yield* Settings.resolve(flags)
    const FetchHttpClient = yield* Effect.promise(() => import("@effect/platform/FetchHttpClient"))
    return yield* request(settings.listen).pipe(Effect.provide(FetchHttpClient.layer))
  }))

/**
 * `orgsync run`: the daemon, reconciling at start, on every change to the desired files and every interval,
 * until SIGINT or SIGTERM stops it (exit 0).
 */
import { FileSystem } from "@effect/platform"
import type { ClientConfig } from "@c42/core"
import { Effect, Layer, Option } from "effect"
import * as CommandFlags from "../CommandFlags.js"
import * as Connection from "../Connection.js"
import type * as Daemon from "../Daemon.js"
import { exitWith } from "../ExitCode.js"
import * as Logging from "../Logging.js"
import * as Settings from "../Settings.js"

/** What a SIGHUP cannot change: the connection, the state database, the endpoints, the log, `force`. */
const restartOnly: ReadonlyArray<Settings.Key> = [...CommandFlags.connectionKeys, "state", "listen", "logFormat", "force"]

/** Runs the daemon until SIGINT or SIGTERM, which interrupt it (exit 0). */
export const daemon = (
  settings: Settings.Settings,
  clientConfig: ClientConfig.ClientConfig,
  dry: boolean,
  reload?: Effect.Effect<Daemon.Reloadable, Settings.SettingsError>
) =>
  Effect.gen(function*() {
    // Loaded by the commands that run the daemon only, so that the others start quickly.
    const [{ run }, DesiredWatcher, NodeHttpClient, AdminToken, Notify] = yield* Effect.promise(() =>
      Promise.all([
        import("../Daemon.js"),
        import("../DesiredWatcher.js"),
        import("@effect/platform-node/NodeHttpClient"),
        import("../AdminToken.js"),
        import("../Notify.js")
      ])
    )
    const adminToken = yield* AdminToken.tokenFromEnv
    const connection = yield* Connection.layers(settings, clientConfig)
    return yield* run({
      desiredPath: settings.desired,
      dryRun: dry,
      force: settings.force,
      interval: settings.interval,
      listen: settings.listen,
      statePath: settings.state,
      tenantUrl: clientConfig.url,
      git: Settings.git(settings),
      reload,
      policy: { destructive: settings.destructive, drift: settings.drift },
      adminToken,
      notify: { urls: yield* Notify.webhooks(Option.getOrElse(settings.notify, () => [])), tenant: clientConfig.url }
    }).pipe(
      Effect.provide(Layer.mergeAll(connection, DesiredWatcher.layer, NodeHttpClient.layerUndici)),
      Effect.provide(Logging.daemonLogging(settings.logFormat))
    )
  })

export const handle = (flags: CommandFlags.Values<typeof CommandFlags.run>) =>
    exitWith(Effect.gen(function*() {
      const settings = yield* Settings.resolve(flags)
      const clientConfig = yield* Settings.clientConfig(settings)
      // On SIGHUP: the settings file and the environment again, under the same flags.
      const reload = Settings.resolve(flags).pipe(
        Effect.flatMap((again) =>
          Effect.promise(() => import("../Notify.js")).pipe(
            Effect.flatMap((Notify) => Notify.webhooks(Option.getOrElse(again.notify, () => []))),
            Effect.map((notify): Daemon.Reloadable => ({
              desiredPath: again.desired,
              interval: again.interval,
              git: Settings.git(again),
              policy: { destructive: again.destructive, drift: again.drift },
              notify,
              restartOnly: restartOnly.filter((key) => JSON.stringify(again[key]) !== JSON.stringify(settings[key]))
            }))
          )
        ),
        Effect.mapError((error) => error._tag === "SettingsError" ? error : new Settings.SettingsError({ message: error.message })),
        Effect.provide(yield* Effect.context<FileSystem.FileSystem>())
      )
      return yield* daemon(settings, clientConfig, flags.dryRun, reload)
    }))

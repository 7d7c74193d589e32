/**
 * A temporary folder for the life of a test's scope, removed with everything in it afterwards: the hostile
 * inputs and soak folders are large enough that leaving them behind would fill a CI machine's /tmp.
 */
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { Effect } from "effect"

export const tempDir = (prefix: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix })).pipe(
    Effect.provide(NodeFileSystem.layer),
    Effect.orDie
  )

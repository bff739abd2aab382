import { migration } from "./migrate";
import { settings } from "./settings";

/** Task definition and service settings both Fargate services share. */

/** ECS's wait between SIGTERM and SIGKILL, on every container of the task. */
export function stopAfter(seconds: number) {
  return (args: aws.ecs.TaskDefinitionArgs): undefined => {
    args.containerDefinitions = $jsonStringify(
      $jsonParse(args.containerDefinitions).apply((defs: Record<string, unknown>[]) =>
        defs.map((d) => ({ ...d, stopTimeout: seconds })),
      ),
    );
    return;
  };
}

/** Autoscaling owns the task count: a deploy must not reset a scaled-out service to its minimum. */
export function keepScaledCount(_args: aws.ecs.ServiceArgs, opts: $util.CustomResourceOptions): undefined {
  opts.ignoreChanges = [...(opts.ignoreChanges ?? []), "desiredCount"];
  return;
}

/** The deploy's migration runs to completion before a service starts new tasks (infra/migrate.ts). */
export function afterMigration(opts: $util.CustomResourceOptions): undefined {
  if (!migration) return;
  // SST creates the service with no dependsOn of its own (service.ts: `{ parent: self }`).
  opts.dependsOn = [migration];
  return;
}

/**
 * In the shared cluster (personal and preview stages, infra/cluster.ts) every stage's services
 * live side by side, and SST names them after the component (`Api`, `Worker`): prefix the stage.
 * Stages with their own cluster keep `Api` / `Worker` (renaming would replace their services).
 */
export function uniqueInSharedCluster(args: aws.ecs.ServiceArgs): undefined {
  if (settings.network === "shared") args.name = $interpolate`${$app.name}-${$app.stage}-${args.name}`;
  return;
}

/** Task definition and service settings both Fargate services share. */

/** ECS's wait between SIGTERM and SIGKILL, on every container of the task. */
export function stopAfter(seconds: number) {
  return (args: aws.ecs.TaskDefinitionArgs): undefined => {
    args.containerDefinitions = $jsonStringify(
      $jsonParse(args.containerDefinitions).apply((defs: Record<string, unknown>[]) => defs.map((d) => ({ ...d, stopTimeout: seconds }))),
    );
    return;
  };
}

/** Autoscaling owns the task count: a deploy must not reset a scaled-out service to its minimum. */
export function keepScaledCount(_args: aws.ecs.ServiceArgs, opts: $util.CustomResourceOptions): undefined {
  opts.ignoreChanges = [...(opts.ignoreChanges ?? []), "desiredCount"];
  return;
}

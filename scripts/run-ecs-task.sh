#!/usr/bin/env bash
# Runs one Fargate task to completion with the deployer's AWS CLI and exits 0 only if its container
# exited 0: the Migrate task before a deploy rolls the services (infra/migrate.ts), and
# scripts/first-deploy.sh's smoke key. Settings by env (infra/migrate.ts sets them):
#   RETAINWISE_TASK_CLUSTER, RETAINWISE_TASK_DEFINITION, RETAINWISE_TASK_CONTAINER,
#   RETAINWISE_TASK_SUBNETS and RETAINWISE_TASK_SECURITY_GROUPS (comma-separated ids),
#   RETAINWISE_TASK_PUBLIC_IP (ENABLED | DISABLED); optional RETAINWISE_TASK_COMMAND (a JSON array
#   replacing the container's command) and RETAINWISE_TASK_TIMEOUT_SECONDS (default 1800).
# When the container fails it prints the end of its CloudWatch log (which never holds a secret:
# the program logs names, not passwords or keys).
# The task carries its task definition's tags (`sst:stage`): the preview deploy role may stop only
# its own stage's tasks (infra/ci/policies.ts).
set -euo pipefail
for name in RETAINWISE_TASK_CLUSTER RETAINWISE_TASK_DEFINITION RETAINWISE_TASK_CONTAINER RETAINWISE_TASK_SUBNETS RETAINWISE_TASK_SECURITY_GROUPS RETAINWISE_TASK_PUBLIC_IP; do
  if [ -z "${!name:-}" ]; then echo "run-ecs-task: $name is not set" >&2; exit 2; fi
done
cluster=$RETAINWISE_TASK_CLUSTER
container=$RETAINWISE_TASK_CONTAINER
deadline=$(( $(date +%s) + ${RETAINWISE_TASK_TIMEOUT_SECONDS:-1800} ))
overrides=()
if [ -n "${RETAINWISE_TASK_COMMAND:-}" ]; then
  overrides=(--overrides "{\"containerOverrides\":[{\"name\":\"$container\",\"command\":$RETAINWISE_TASK_COMMAND}]}")
fi

task=$(aws ecs run-task --cluster "$cluster" --task-definition "$RETAINWISE_TASK_DEFINITION" --launch-type FARGATE \
  --network-configuration "awsvpcConfiguration={subnets=[$RETAINWISE_TASK_SUBNETS],securityGroups=[$RETAINWISE_TASK_SECURITY_GROUPS],assignPublicIp=$RETAINWISE_TASK_PUBLIC_IP}" \
  --started-by retainwise-deploy --propagate-tags TASK_DEFINITION "${overrides[@]}" --query 'tasks[0].taskArn' --output text)
if [ -z "$task" ] || [ "$task" = None ]; then echo "run-ecs-task: ECS started no task of $RETAINWISE_TASK_DEFINITION (see the run-task failures above)" >&2; exit 1; fi
echo "run-ecs-task: started $task ($container)" >&2

# `aws ecs wait tasks-stopped` gives up after 10 minutes; a long migration may take longer.
while :; do
  status=$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" --query 'tasks[0].lastStatus' --output text)
  [ "$status" = STOPPED ] && break
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "run-ecs-task: $task still $status after ${RETAINWISE_TASK_TIMEOUT_SECONDS:-1800} s; stopping it" >&2
    aws ecs stop-task --cluster "$cluster" --task "$task" --reason "run-ecs-task timeout" >/dev/null
    exit 1
  fi
  sleep "${RETAINWISE_TASK_POLL_SECONDS:-6}"
done

code=$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" --query "tasks[0].containers[?name=='$container'] | [0].exitCode" --output text)
if [ "$code" != 0 ]; then
  reason=$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" --query 'tasks[0].stoppedReason' --output text)
  group=$(aws ecs describe-task-definition --task-definition "$RETAINWISE_TASK_DEFINITION" --query "taskDefinition.containerDefinitions[?name=='$container'] | [0].logConfiguration.options.\"awslogs-group\"" --output text)
  echo "run-ecs-task: $container exited ${code/None/without a code} ($reason); the end of its log ($group):" >&2
  # The stream is <awslogs-stream-prefix "/service">/<container>/<task id> (SST's fargate.ts).
  aws logs get-log-events --log-group-name "$group" --log-stream-name "/service/$container/${task##*/}" --limit 30 --query 'events[].message' --output text >&2 || true
  exit 1
fi
echo "run-ecs-task: $container exited 0" >&2

#!/usr/bin/env bash
# Run one Fargate task to completion and fail unless its container exits 0.
# Called by terraform_data.migrate (local-exec) with these variables set:
#   AWS_REGION CLUSTER TASK_DEFINITION CONTAINER_NAME SUBNETS SECURITY_GROUPS
set -euo pipefail

network="awsvpcConfiguration={subnets=[${SUBNETS}],securityGroups=[${SECURITY_GROUPS}],assignPublicIp=DISABLED}"

echo "Starting one-off task ${TASK_DEFINITION} on cluster ${CLUSTER}"
task_arn=$(aws ecs run-task \
  --region "${AWS_REGION}" \
  --cluster "${CLUSTER}" \
  --task-definition "${TASK_DEFINITION}" \
  --launch-type FARGATE \
  --network-configuration "${network}" \
  --started-by terraform-migrate \
  --query 'tasks[0].taskArn' \
  --output text)

if [[ -z "${task_arn}" || "${task_arn}" == "None" ]]; then
  echo "ECS did not start the task" >&2
  exit 1
fi

echo "Waiting for ${task_arn} to stop"
aws ecs wait tasks-stopped --region "${AWS_REGION}" --cluster "${CLUSTER}" --tasks "${task_arn}"

exit_code=$(aws ecs describe-tasks \
  --region "${AWS_REGION}" \
  --cluster "${CLUSTER}" \
  --tasks "${task_arn}" \
  --query "tasks[0].containers[?name=='${CONTAINER_NAME}'].exitCode | [0]" \
  --output text)

if [[ "${exit_code}" != "0" ]]; then
  echo "One-off task failed with exit code ${exit_code}; see the CloudWatch log stream 'migrate/${CONTAINER_NAME}/${task_arn##*/}'" >&2
  exit 1
fi
echo "One-off task succeeded"

import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { JobQueue } from "@retainwise/core";
import { withAwsErrors } from "./errors.ts";

export interface SqsJobQueueOptions {
  client: SQSClient;
  queueUrl: string;
}

/**
 * The AWS `JobQueue`: SQS. Dead-lettering is the queue's RedrivePolicy (maxReceiveCount 3, see
 * infra/queue.ts), not code here; the receive count comes from `ApproximateReceiveCount`.
 *
 * Fairness and slots, as SQS gives them (docs/queue.md "Fairness and slots"):
 * - `send`'s group is the message's MessageGroupId: a standard queue whose messages carry one is a
 *   fair queue, where SQS keeps one group's backlog from delaying the others' (AWS's "fair queues",
 *   its noisy-neighbour ordering); the account is the group.
 * - `receive`'s `kinds` is not honored: SQS cannot filter one queue by attribute, and handing a
 *   message back would count a receive toward the dead-letter threshold. A task's slots may then
 *   all train at once; scoring still progresses because the backlog scaling (infra/worker.ts) adds
 *   tasks, not because a slot is kept free.
 */
export function createSqsJobQueue(options: SqsJobQueueOptions): JobQueue {
  const { client, queueUrl } = options;
  return {
    async send(message, sendOptions) {
      const group = sendOptions?.group;
      await withAwsErrors("sending a job message", () =>
        client.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: JSON.stringify(message),
            ...(group !== undefined ? { MessageGroupId: group } : {}),
          }),
        ),
      );
    },
    async receive({ max, waitSeconds, visibilitySeconds, signal }) {
      if (signal?.aborted) return [];
      try {
        const result = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(max, 10),
            WaitTimeSeconds: Math.min(waitSeconds, 20),
            VisibilityTimeout: visibilitySeconds,
            MessageSystemAttributeNames: ["ApproximateReceiveCount"],
          }),
          signal ? { abortSignal: signal } : {},
        );
        return (result.Messages ?? []).map((m) => ({
          receipt: m.ReceiptHandle!,
          messageId: m.MessageId!,
          body: m.Body ?? "",
          receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? "1"),
        }));
      } catch (error) {
        if (signal?.aborted) return [];
        return withAwsErrors("receiving job messages", () => Promise.reject(error));
      }
    },
    async extend(receipt, visibilitySeconds) {
      await withAwsErrors("extending a job message", () =>
        client.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: receipt,
            VisibilityTimeout: visibilitySeconds,
          }),
        ),
      );
    },
    async delete(receipt) {
      await withAwsErrors("deleting a job message", () =>
        client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receipt })),
      );
    },
    async release(receipt) {
      await withAwsErrors("releasing a job message", () =>
        client.send(
          new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receipt, VisibilityTimeout: 0 }),
        ),
      );
    },
    async ping() {
      await withAwsErrors("reaching the queue", () =>
        client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] })),
      );
    },
  };
}

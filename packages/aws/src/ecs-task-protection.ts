import * as v from "valibot";
import { TransientError, type TaskProtection } from "@retainwise/core";

export interface EcsTaskProtectionOptions {
  /** `ECS_AGENT_URI`, which the ECS agent injects into every container of a task. */
  agentUri: string;
  timeoutMs?: number;
}

/** The agent answers `{"protection": …}`, or `{"failure": {Reason}}` / `{"error": {Code, Message}}`. */
const AgentResponse = v.object({
  protection: v.optional(v.object({ ProtectionEnabled: v.boolean() })),
  failure: v.optional(v.object({ Reason: v.optional(v.string()) })),
  error: v.optional(v.object({ Code: v.optional(v.string()), Message: v.optional(v.string()) })),
});

/**
 * ECS task scale-in protection through the task's agent endpoint (no SDK: the agent signs the
 * `ecs:UpdateTaskProtection` call with the task role). A refusal is transient: the caller logs it
 * and keeps working, and the next transition tries again.
 */
export function createEcsTaskProtection(options: EcsTaskProtectionOptions): TaskProtection {
  const url = `${options.agentUri.replace(/\/$/, "")}/task-protection/v1/state`;
  return {
    async set(enabled, minutes) {
      const doing = enabled ? "protecting the task from scale-in" : "removing the task's scale-in protection";
      let status: number;
      let body: unknown;
      try {
        const response = await fetch(url, {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(
            enabled ? { ProtectionEnabled: true, ExpiresInMinutes: minutes } : { ProtectionEnabled: false },
          ),
          signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
        });
        status = response.status;
        body = await response.json().catch(() => ({}));
      } catch (error) {
        throw new TransientError("ecs.task_protection_unreachable", `The ECS agent did not answer while ${doing}.`, {
          cause: error,
        });
      }
      const parsed = v.safeParse(AgentResponse, body);
      const answer = parsed.success ? parsed.output : {};
      if (status >= 300 || !answer.protection || answer.failure || answer.error) {
        const reason = answer.failure?.Reason ?? answer.error?.Message ?? answer.error?.Code ?? `HTTP ${status}`;
        throw new TransientError(
          "ecs.task_protection_refused",
          `ECS refused ${doing}: ${reason}. Check the task role allows ecs:UpdateTaskProtection.`,
        );
      }
    },
  };
}

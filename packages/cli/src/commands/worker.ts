import { createLogger } from "@retainwise/core";
import { loadConfig, settingFlags } from "../config.ts";
import { onShutdownSignal, startJobProcessing } from "../process-roles.ts";
import { buildServices } from "../wiring.ts";

export const help = `Usage: retainwise worker

Runs the queue worker (deployed role): long-polls the jobs queue, scores each uploaded CSV and
writes the result to the object store. Settings come from the environment (see
docs/CONFIGURATION.md); SIGTERM stops receiving and finishes or releases in-flight jobs within
RETAINWISE_SHUTDOWN_DEADLINE_SECONDS.`;

export async function run(argv: string[]): Promise<number> {
  const config = loadConfig({ flags: settingFlags(argv) });
  const logger = createLogger({ service: "retainwise", role: "worker" }, { level: config.logLevel });
  const services = await buildServices(config, logger);
  const jobs = await startJobProcessing(services, config, logger);
  await onShutdownSignal(
    logger,
    async () => {
      await jobs.stop();
      await services.close();
    },
    { seconds: config.shutdownDeadlineSeconds, force: () => services.close({ force: true }) },
  );
  return 0;
}

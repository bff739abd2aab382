import { createLogger } from "@retainwise/core";
import { loadConfig, settingFlags } from "../config.ts";
import { onShutdownSignal, serveHttp } from "../process-roles.ts";
import { buildServices } from "../wiring.ts";

export const help = `Usage: retainwise api [--SETTING VALUE ...]

Runs the HTTP API and web UI (deployed role). Settings come from the environment (see
docs/CONFIGURATION.md).`;

export async function run(argv: string[]): Promise<number> {
  const config = loadConfig({ flags: settingFlags(argv) });
  const logger = createLogger({ service: "retainwise", role: "api" }, { level: config.logLevel });
  const services = await buildServices(config, logger);
  const server = await serveHttp(services, config, logger);
  logger.info("api listening", { url: server.url });
  await onShutdownSignal(
    logger,
    async () => {
      await server.close();
      await services.close();
    },
    {
      seconds: config.shutdownDeadlineSeconds,
      force: () => Promise.all([server.close(0), services.close({ force: true })]).then(() => {}),
    },
  );
  return 0;
}

import { createLogger } from "@retainwise/core";
import { loadConfig } from "../config.ts";
import { onShutdownSignal, serveHttp } from "../roles.ts";
import { buildServices } from "../wiring.ts";

export const help = `Usage: retainwise api [--port N]

Runs the HTTP API and web UI (deployed role). Settings come from the environment (see README:
Configuration).`;

export async function run(argv: string[]): Promise<number> {
  const portFlag = argv.indexOf("--port");
  const config = loadConfig({ flags: portFlag >= 0 ? { port: argv[portFlag + 1] } : {} });
  const logger = createLogger({ service: "retainwise", role: "api" }, { level: config.logLevel });
  const services = await buildServices(config, logger);
  const server = await serveHttp(services, config, logger);
  logger.info("api listening", { url: server.url });
  await onShutdownSignal(logger, async () => {
    await server.close();
    await services.close();
  });
  return 0;
}

import { vpc } from "./network";
import { settings } from "./settings";

/**
 * Jobs, accounts and API keys. Under `sst dev` no RDS is created: the link points at a local
 * PostgreSQL (e.g. `npm run local`'s, or any on 5432) with these credentials.
 */
export const database = new sst.aws.Postgres("Database", {
  vpc,
  instance: settings.database.instance,
  storage: settings.database.storage,
  multiAz: settings.database.multiAz,
  dev: { username: "postgres", password: "postgres", database: "retainwise", port: 5432 },
});

import { vpc } from "./network";
import { DATABASE_WAIT_SECONDS, RDS_CA_FILE, settings } from "./settings";

/**
 * Jobs, accounts and API keys, in the private subnets. Connections must use TLS (`rds.force_ssl`),
 * verified against the RDS CA bundle the image carries. Production snapshots the instance before
 * it could ever be deleted, and refuses deletion.
 *
 * Under `sst dev` no RDS is created: the local processes use the PostgreSQL in DATABASE_URL, e.g.
 * `retainwise local --pg-port 5432`'s (docs/DEPLOY.md, "sst dev").
 */
const devDatabase = $dev ? new URL(requireDevDatabaseUrl()) : undefined;

export const database = new sst.aws.Postgres("Database", {
  vpc,
  instance: settings.database.instance,
  storage: settings.database.maxStorage,
  multiAz: settings.database.multiAz,
  ...(devDatabase
    ? {
        dev: {
          host: devDatabase.hostname,
          port: Number(devDatabase.port || 5432),
          username: decodeURIComponent(devDatabase.username),
          password: decodeURIComponent(devDatabase.password),
          database: devDatabase.pathname.slice(1),
        },
      }
    : {}),
  transform: {
    parameterGroup: (args) => {
      args.parameters = [{ name: "rds.force_ssl", value: "1" }];
      return;
    },
    instance: (args) => {
      if (!settings.protect) return;
      args.deletionProtection = true;
      args.skipFinalSnapshot = false;
      args.finalSnapshotIdentifier = `${$app.name}-${$app.stage}-final`;
      return;
    },
  },
});

/** SST keeps the generated master password in a Secrets Manager secret it tags the instance with. */
export const databasePasswordSecretArn = $dev ? undefined : database.nodes.instance!.tags.apply((tags) => tags?.["sst:lookup:password"] ?? "");

/** How both roles reach the database; the password itself comes apart, as a secret (infra/access.ts). */
export const databaseEnvironment: Record<string, $util.Input<string>> = $dev
  ? { DATABASE_URL: devDatabase!.toString() }
  : {
      DATABASE_URL: $interpolate`postgres://${database.username}@${database.host}:${database.port}/${database.database}`,
      RETAINWISE_DATABASE_CA_FILE: RDS_CA_FILE,
      RETAINWISE_DATABASE_WAIT_SECONDS: String(DATABASE_WAIT_SECONDS),
    };

function requireDevDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      "sst dev needs a local PostgreSQL: run `retainwise local --pg-port 5432` in another terminal, then export DATABASE_URL=<the URL it prints> and start `sst dev` again (docs/DEPLOY.md).",
    );
  }
  return url;
}

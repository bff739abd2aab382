// SST ships @pulumi/random (its Postgres generates the master password with it) but makes only
// `aws` a global. Imported when run() gets here, not with the file: `sst install` evaluates the
// config before it has installed the platform's packages.
const { RandomPassword } = await import("@pulumi/random");
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
const masterPasswordSecretArn = $dev
  ? undefined
  : database.nodes.instance!.tags.apply((tags) => tags?.["sst:lookup:password"] ?? "");

/**
 * Who logs in as whom (docs/DEPLOY.md, "Database roles"). The master user only sets the other two
 * up, in the Migrate task (infra/migrate.ts); the migration role owns the schema; the API and the
 * workers log in as the runtime role: rows only. `retainwise migrate` creates both roles.
 */
export const MIGRATION_ROLE = "retainwise_migrator";
export const RUNTIME_ROLE = "retainwise_app";

export interface DatabaseLogin {
  user: $util.Input<string>;
  /** The Secrets Manager secret whose `password` key ECS hands the container (never the value itself). */
  secretArn: $util.Input<string>;
}

/** Not under `sst dev`: the local processes use the local database's own user. */
export const databaseLogins = $dev
  ? undefined
  : {
      master: { user: database.username, secretArn: masterPasswordSecretArn! },
      migrator: { user: MIGRATION_ROLE, secretArn: loginSecret("DatabaseMigrator", MIGRATION_ROLE) },
      runtime: { user: RUNTIME_ROLE, secretArn: loginSecret("DatabaseRuntime", RUNTIME_ROLE) },
    };

/** A generated password in a secret shaped like SST's master one (`{username, password}`); letters and digits only, so no URL or SASLprep escaping. */
function loginSecret(name: string, user: string): $util.Output<string> {
  const password = new RandomPassword(`${name}Password`, { length: 32, special: false });
  const secret = new aws.secretsmanager.Secret(`${name}Secret`, { recoveryWindowInDays: settings.protect ? 30 : 0 });
  const version = new aws.secretsmanager.SecretVersion(`${name}SecretVersion`, {
    secretId: secret.id,
    secretString: $jsonStringify({ username: user, password: password.result }),
  });
  // The secret's ARN, read from its version: what ECS reads (the Migrate task first) exists once the value does.
  return version.arn;
}

/** How a process logging in as `user` reaches the database; the password comes apart, as a secret (infra/access.ts). */
export function databaseEnvironment(user: $util.Input<string>): Record<string, $util.Input<string>> {
  if ($dev) return { DATABASE_URL: devDatabase!.toString() };
  return {
    DATABASE_URL: $interpolate`postgres://${user}@${database.host}:${database.port}/${database.database}`,
    RETAINWISE_DATABASE_CA_FILE: RDS_CA_FILE,
    RETAINWISE_DATABASE_WAIT_SECONDS: String(DATABASE_WAIT_SECONDS),
  };
}

function requireDevDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      "sst dev needs a local PostgreSQL: run `retainwise local --pg-port 5432` in another terminal, then export DATABASE_URL=<the URL it prints> and start `sst dev` again (docs/DEPLOY.md).",
    );
  }
  return url;
}

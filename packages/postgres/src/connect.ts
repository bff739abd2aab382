import postgres from "postgres";

/** A postgres.js client (pool or transaction) with our column naming and number types. */
export type Sql = postgres.Sql<Record<string, never>>;
/** What repositories and the queue accept: the pool, or a transaction so a write can join the caller's. */
export type SqlOrTx = Sql | TransactionSql;
export type TransactionSql = postgres.TransactionSql<Record<string, never>>;

export interface ConnectOptions {
  /** Pool size; postgres.js opens connections lazily. */
  max?: number;
  /** Shown in `pg_stat_activity`, e.g. `retainwise-worker`. */
  applicationName?: string;
  /**
   * PEM certificate authorities (e.g. the RDS bundle): when given, the connection must use TLS and
   * the server's certificate must chain to one of them and name the host (libpq's verify-full).
   */
  ca?: string;
  /**
   * A connection not ready (TCP, TLS, authentication) within this fails as `db.unavailable`, so a
   * request during a database outage is answered 503 in about this long, not after minutes
   * (the services pass RETAINWISE_DATABASE_CONNECT_TIMEOUT_SECONDS, 1.5 s by default).
   */
  connectTimeoutSeconds?: number;
  /** The server cancels a statement running longer (SQLSTATE 57014, answered 503). 0: no limit. */
  statementTimeoutSeconds?: number;
}

/** For one-off tools and tests; generous, as a loaded machine may be slow to fork a backend. */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
export const DEFAULT_STATEMENT_TIMEOUT_SECONDS = 30;
const IDLE_TIMEOUT_SECONDS = 30;

/**
 * Opens a pool. The one place where snake_case columns become camelCase fields (and back, for
 * `sql(object)` inserts); JSON values are left as stored. `bigint` columns (byte counts, counts)
 * come back as numbers: they stay far below 2^53.
 *
 * @example
 *   const sql = connect(process.env.DATABASE_URL!);
 *   const [row] = await sql`select input_bytes from predictions limit 1`; // row.inputBytes: number
 */
export function connect(url: string, options: ConnectOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS,
    idle_timeout: IDLE_TIMEOUT_SECONDS,
    connection: {
      application_name: options.applicationName ?? "retainwise",
      statement_timeout: Math.round((options.statementTimeoutSeconds ?? DEFAULT_STATEMENT_TIMEOUT_SECONDS) * 1000),
    },
    transform: { column: { from: postgres.toCamel, to: postgres.fromCamel } },
    types: {
      bigint: {
        to: 20,
        from: [20],
        serialize: (value: number) => String(value),
        parse: (value: string) => Number(value),
      },
    },
    onnotice: () => {},
    ...(options.ca ? { ssl: { ca: options.ca, rejectUnauthorized: true } } : {}),
  }) as unknown as Sql;
}

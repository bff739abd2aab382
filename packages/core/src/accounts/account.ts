/** An account: the tenant every prediction, model and outcome belongs to, and the keys that act for it. */
export interface Account {
  id: string;
  name: string;
  createdAt: Date;
}

export interface AccountRepository {
  /** Returns the account named `name`, creating it if new. */
  ensureAccount(name: string): Promise<Account>;
  /** Mints a key for the account: the plaintext is returned once and only its hash is stored. */
  createApiKey(accountId: string, label?: string): Promise<{ id: string; key: string }>;
  /** The account a plaintext key belongs to, or null (unknown or revoked). */
  authenticate(key: string): Promise<Account | null>;
}

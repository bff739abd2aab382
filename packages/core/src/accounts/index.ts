export type { Account, AccountRepository } from "./account.ts";

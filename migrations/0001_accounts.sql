-- Customers and their API keys. A key is shown once at creation; only its SHA-256 is stored
-- (the key carries 256 random bits, so a fast hash is enough: nothing to brute-force).
create table accounts (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (length(name) between 1 and 200),
  created_at timestamptz not null default now()
);

create table api_keys (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references accounts (id) on delete cascade,
  key_hash bytea not null unique check (length(key_hash) = 32),
  -- The first characters of the key, to tell keys apart in listings without revealing them.
  prefix text not null,
  label text,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);

create index api_keys_account_idx on api_keys (account_id);

-- Schema 4: the operator credential (separate from projects) and API scopes of backend keys. Keys that existed
-- before scopes keep what they could do then (every route group of that time); new keys get exactly the scopes
-- they are created with.
ALTER TABLE keys ADD COLUMN api_scopes TEXT NOT NULL
  DEFAULT 'tokens:mint keys:admin rooms:admin revocations:admin acl:admin webhooks:admin';

CREATE TABLE operator_credentials (
  id TEXT PRIMARY KEY CHECK (id = 'operator'),
  kdf TEXT NOT NULL,
  iterations INTEGER NOT NULL CHECK (iterations > 0),
  salt BLOB NOT NULL,
  hash BLOB NOT NULL,
  created_ms INTEGER NOT NULL
) STRICT;

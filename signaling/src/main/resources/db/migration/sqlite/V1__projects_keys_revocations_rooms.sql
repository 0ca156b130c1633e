-- Schema 1: projects, their keys, token and subject revocations, rooms. Released: never edit, add a new version.
CREATE TABLE projects (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  max_token_ttl_s INTEGER NOT NULL CHECK (max_token_ttl_s > 0 AND max_token_ttl_s <= 86400),
  max_participants INTEGER NOT NULL,
  max_rooms INTEGER NOT NULL,
  scope_ceiling TEXT NOT NULL,
  roles TEXT NOT NULL,
  hs256_join_tokens INTEGER NOT NULL,
  auto_create_rooms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE keys (
  kid TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id),
  alg TEXT NOT NULL CHECK (alg IN ('HS256', 'ES256', 'EdDSA')),
  state TEXT NOT NULL CHECK (state IN ('active', 'retiring', 'revoked')),
  material BLOB NOT NULL,
  created_ms INTEGER NOT NULL,
  retired_ms INTEGER,
  revoked_ms INTEGER
) STRICT;

CREATE INDEX keys_by_project ON keys(project_id, created_ms);

CREATE TABLE revoked_tokens (
  project_id TEXT NOT NULL,
  jti TEXT NOT NULL,
  expires_ms INTEGER NOT NULL,
  PRIMARY KEY (project_id, jti)
) STRICT;

CREATE INDEX revoked_tokens_by_expiry ON revoked_tokens(expires_ms);

CREATE TABLE subject_watermarks (
  project_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  before_ms INTEGER NOT NULL,
  PRIMARY KEY (project_id, subject)
) STRICT;

CREATE TABLE rooms (
  project_id TEXT NOT NULL REFERENCES projects(id),
  room_id TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
  created_ms INTEGER NOT NULL,
  closed_ms INTEGER,
  PRIMARY KEY (project_id, room_id)
) STRICT;

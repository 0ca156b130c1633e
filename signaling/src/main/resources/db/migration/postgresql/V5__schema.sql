-- PostgreSQL starts at schema 5, the schema SQLite had reached when PostgreSQL support came (versions 1-4 exist
-- only for SQLite data dirs). Same tables and rules as SQLite's V1-V5; epoch milliseconds are BIGINT, flags stay
-- 0/1 integers so both databases bind and read them alike.
CREATE TABLE projects (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  max_token_ttl_s BIGINT NOT NULL CHECK (max_token_ttl_s > 0 AND max_token_ttl_s <= 86400),
  max_participants INTEGER NOT NULL,
  max_rooms INTEGER NOT NULL,
  scope_ceiling TEXT NOT NULL,
  roles TEXT NOT NULL,
  hs256_join_tokens INTEGER NOT NULL,
  auto_create_rooms INTEGER NOT NULL,
  created_ms BIGINT NOT NULL
);

CREATE TABLE keys (
  kid TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id),
  alg TEXT NOT NULL CHECK (alg IN ('HS256', 'ES256', 'EdDSA')),
  state TEXT NOT NULL CHECK (state IN ('active', 'retiring', 'revoked')),
  material BYTEA NOT NULL,
  created_ms BIGINT NOT NULL,
  retired_ms BIGINT,
  revoked_ms BIGINT,
  api_scopes TEXT NOT NULL
);

CREATE INDEX keys_by_project ON keys(project_id, created_ms);

CREATE TABLE revoked_tokens (
  project_id TEXT NOT NULL,
  jti TEXT NOT NULL,
  expires_ms BIGINT NOT NULL,
  PRIMARY KEY (project_id, jti)
);

CREATE INDEX revoked_tokens_by_expiry ON revoked_tokens(expires_ms);

CREATE TABLE subject_watermarks (
  project_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  before_ms BIGINT NOT NULL,
  PRIMARY KEY (project_id, subject)
);

CREATE TABLE rooms (
  project_id TEXT NOT NULL REFERENCES projects(id),
  room_id TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
  created_ms BIGINT NOT NULL,
  closed_ms BIGINT,
  PRIMARY KEY (project_id, room_id)
);

CREATE TABLE acl_entries (
  project_id TEXT NOT NULL REFERENCES projects(id),
  subscriber TEXT NOT NULL,
  publisher TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('', 'audio', 'video', 'screen')),
  track_id TEXT NOT NULL,
  effect TEXT NOT NULL CHECK (effect IN ('allow', 'deny')),
  at_ms BIGINT NOT NULL,
  PRIMARY KEY (project_id, subscriber, publisher, kind, track_id)
);

CREATE TABLE scope_overrides (
  project_id TEXT NOT NULL REFERENCES projects(id),
  room_id TEXT NOT NULL,
  identity TEXT NOT NULL,
  scope TEXT NOT NULL,
  at_ms BIGINT NOT NULL,
  PRIMARY KEY (project_id, room_id, identity, scope)
);

CREATE TABLE access_policies (
  project_id TEXT PRIMARY KEY REFERENCES projects(id),
  acl_mode INTEGER NOT NULL,
  allowed_cidrs TEXT NOT NULL,
  max_sessions INTEGER NOT NULL,
  hours_utc TEXT,
  allow_pii INTEGER NOT NULL,
  replace_same_token INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id),
  url TEXT NOT NULL,
  secret BYTEA NOT NULL,
  events TEXT NOT NULL,
  created_ms BIGINT NOT NULL
);

CREATE INDEX webhook_endpoints_by_project ON webhook_endpoints(project_id, created_ms);

CREATE TABLE webhook_deliveries (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  event_id TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  queued_ms BIGINT NOT NULL,
  next_ms BIGINT NOT NULL
);

CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries(endpoint_id, seq);

CREATE TABLE operator_credentials (
  id TEXT PRIMARY KEY CHECK (id = 'operator'),
  kdf TEXT NOT NULL,
  iterations INTEGER NOT NULL CHECK (iterations > 0),
  salt BYTEA NOT NULL,
  hash BYTEA NOT NULL,
  created_ms BIGINT NOT NULL
);

CREATE TABLE audit_head (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  last_id BIGINT NOT NULL,
  last_hash TEXT NOT NULL,
  at_ms BIGINT NOT NULL
);

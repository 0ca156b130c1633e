-- Schema 2: live authorization (ACL grants/revocations, per-room scope overrides, per-project ABAC policy).
CREATE TABLE acl_entries (
  project_id TEXT NOT NULL REFERENCES projects(id),
  subscriber TEXT NOT NULL,
  publisher TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('', 'audio', 'video', 'screen')),
  track_id TEXT NOT NULL,
  effect TEXT NOT NULL CHECK (effect IN ('allow', 'deny')),
  at_ms INTEGER NOT NULL,
  PRIMARY KEY (project_id, subscriber, publisher, kind, track_id)
) STRICT;

CREATE TABLE scope_overrides (
  project_id TEXT NOT NULL REFERENCES projects(id),
  room_id TEXT NOT NULL,
  identity TEXT NOT NULL,
  scope TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  PRIMARY KEY (project_id, room_id, identity, scope)
) STRICT;

CREATE TABLE access_policies (
  project_id TEXT PRIMARY KEY REFERENCES projects(id),
  acl_mode INTEGER NOT NULL,
  allowed_cidrs TEXT NOT NULL,
  max_sessions INTEGER NOT NULL,
  hours_utc TEXT,
  allow_pii INTEGER NOT NULL
) STRICT;

-- Schema 5: the audit trail's head, anchored outside the log file (docs/control-plane.md "Audit trail"), and the
-- per-project choice of what a second join with the same token does.
CREATE TABLE audit_head (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  last_id INTEGER NOT NULL,
  last_hash TEXT NOT NULL,
  at_ms INTEGER NOT NULL
) STRICT;

ALTER TABLE access_policies ADD COLUMN replace_same_token INTEGER NOT NULL DEFAULT 0;

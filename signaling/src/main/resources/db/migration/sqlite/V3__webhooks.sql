-- Schema 3: webhook endpoints and their durable delivery queues.
CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id),
  url TEXT NOT NULL,
  secret BLOB NOT NULL,
  events TEXT NOT NULL,
  created_ms INTEGER NOT NULL
) STRICT;

CREATE INDEX webhook_endpoints_by_project ON webhook_endpoints(project_id, created_ms);

CREATE TABLE webhook_deliveries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  event_id TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  queued_ms INTEGER NOT NULL,
  next_ms INTEGER NOT NULL
) STRICT;

CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries(endpoint_id, seq);

-- Schema 6: cluster state (docs/cluster.md): registered nodes, which node hosts which live room, and session slots
-- counted across nodes.
CREATE TABLE nodes (
  node_id TEXT PRIMARY KEY,
  public_url TEXT NOT NULL,
  media_address TEXT NOT NULL,
  capacity INTEGER NOT NULL CHECK (capacity >= 0),
  current_load INTEGER NOT NULL CHECK (current_load >= 0),
  heartbeat_ms BIGINT NOT NULL
);

CREATE INDEX nodes_by_heartbeat ON nodes(heartbeat_ms);

CREATE TABLE room_claims (
  project_id TEXT NOT NULL,
  room_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  claimed_ms BIGINT NOT NULL,
  PRIMARY KEY (project_id, room_id)
);

CREATE INDEX room_claims_by_node ON room_claims(node_id, claimed_ms);

CREATE TABLE session_keys (
  project_id TEXT NOT NULL,
  slot_key TEXT NOT NULL,
  PRIMARY KEY (project_id, slot_key)
);

CREATE TABLE session_slots (
  project_id TEXT NOT NULL,
  slot_key TEXT NOT NULL,
  session_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  PRIMARY KEY (project_id, slot_key, session_id)
);

CREATE INDEX session_slots_by_node ON session_slots(node_id);

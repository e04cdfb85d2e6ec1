-- The caller directory, version 1: callers, their flags, follow-ups, incidents and
-- last calls; the agents' tokens; idempotency keys; and the append-only audit trail.
-- Times are timestamptz; the API speaks epoch milliseconds.

CREATE TABLE callers (
  number text PRIMARY KEY CHECK (number ~ '^\+[1-9][0-9]{1,14}$'),
  preferred_address text CHECK (length(preferred_address) BETWEEN 1 AND 128),
  preferred_address_by text,
  preferred_address_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE flags (
  id uuid PRIMARY KEY,
  number text NOT NULL REFERENCES callers (number),
  kind text NOT NULL CHECK (kind IN ('abusive-language', 'insults', 'legal-threat', 'physical-threat', 'repeat-unresolved', 'other')),
  reason text NOT NULL CHECK (length(reason) <= 2000),
  author text NOT NULL,
  call_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  cleared_at timestamptz,
  cleared_by text,
  CHECK ((cleared_at IS NULL) = (cleared_by IS NULL))
);
CREATE INDEX flags_by_number ON flags (number, created_at);

CREATE TABLE follow_ups (
  id uuid PRIMARY KEY,
  number text NOT NULL REFERENCES callers (number),
  call_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('due-date', 'status-update')),
  due timestamptz NOT NULL,
  text text NOT NULL CHECK (length(text) <= 2000),
  author text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  done_at timestamptz,
  done_by text
);
CREATE INDEX follow_ups_by_number ON follow_ups (number, due);
CREATE INDEX follow_ups_open ON follow_ups (due) WHERE done_at IS NULL;

CREATE TABLE incidents (
  id uuid PRIMARY KEY,
  number text NOT NULL REFERENCES callers (number),
  call_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('legal-threat', 'physical-threat')),
  what_was_said text NOT NULL CHECK (length(what_was_said) BETWEEN 1 AND 5000),
  occurred_at timestamptz NOT NULL,
  said_by text NOT NULL,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  flag_id uuid REFERENCES flags (id)
);
CREATE INDEX incidents_by_number ON incidents (number, occurred_at);

-- A call's wrap-up: outcome and commitment; note text only where the policy shares it.
CREATE TABLE calls (
  id bigserial PRIMARY KEY,
  number text NOT NULL REFERENCES callers (number),
  call_id text NOT NULL,
  agent text NOT NULL,
  ended_at timestamptz NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('resolved', 'follow-up', 'escalated')),
  commitment text,
  note text,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calls_by_number ON calls (number, ended_at DESC);

-- Per-agent bearer tokens: only a SHA-256 of the (random, 256-bit) token is kept.
CREATE TABLE tokens (
  id text PRIMARY KEY,
  agent text NOT NULL,
  role text NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
  token_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);

-- A write's idempotency key: the first answer is replayed for a retry with the same key.
CREATE TABLE idempotency_keys (
  agent text NOT NULL,
  key text NOT NULL,
  request_hash bytea NOT NULL,
  status integer,
  answer jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agent, key)
);

-- Every change, stamped with agent and time. Rows are never updated or deleted.
CREATE TABLE audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  agent text NOT NULL,
  action text NOT NULL,
  number text,
  subject_id text,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_by_number ON audit (number, id);

CREATE FUNCTION audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
  FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only();

-- Epoch milliseconds, the API's time format.
CREATE FUNCTION ms(t timestamptz) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN (extract(epoch FROM t) * 1000)::bigint;

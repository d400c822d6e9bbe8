-- Outpost's store on PostgreSQL, schema version 1.
--
-- records is the data and the change log at once: each record has one row,
-- at its latest version (a deletion leaves a tombstone row), so the log is
-- as small as the data and a pull never sends a record twice. Versions are
-- dense and unique: every write transaction takes the log lock
-- (pg_advisory_xact_lock) before reading outpost_head, so they commit in
-- version order on the primary and on every replica.
CREATE TABLE outpost_head (
	one     boolean PRIMARY KEY DEFAULT true CHECK (one),
	version bigint NOT NULL
);
INSERT INTO outpost_head (version) VALUES (0);

CREATE TABLE records (
	typ     text COLLATE "C" NOT NULL,
	id      text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	deleted boolean NOT NULL,
	data    bytea NOT NULL, -- JSON, but NUL bytes must survive: not text or jsonb
	PRIMARY KEY (typ, id)
);
CREATE UNIQUE INDEX records_version ON records (version);

-- The last mutation sequence applied per client: checked and set in the
-- transaction that applies the mutation, so it is applied exactly once.
CREATE TABLE clients (
	id  text COLLATE "C" PRIMARY KEY,
	seq bigint NOT NULL
);

-- Unlogged server-only data (sessions, password hashes, unique indexes,
-- blob pieces): no version, never pulled. expires_at is Unix ms by the
-- store's clock (0: never), compared with that clock on every read; rows
-- long past it are deleted now and then, as garbage only.
CREATE TABLE local (
	kind       text COLLATE "C" NOT NULL,
	key        text COLLATE "C" NOT NULL,
	data       bytea NOT NULL,
	expires_at bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (kind, key)
);
CREATE INDEX local_expires ON local (expires_at) WHERE expires_at <> 0;

-- epoch: a random ID made with the database; cluster: the PostgreSQL
-- cluster and timeline it was made on. A database found on another cluster
-- (restored from a dump) or timeline (restored to a point in time,
-- promoted replica) gets a new epoch at the next start.
CREATE TABLE outpost_meta (
	key   text PRIMARY KEY,
	value text NOT NULL
);

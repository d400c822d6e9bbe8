-- Outpost's store on PostgreSQL, schema version 2: the scope index of the
-- change log (server/store.RecordScopes), so a pull reads only the records
-- its asker could see. Each write inserts its record's scopes in its
-- transaction; the trigger drops the old version's when a record moves to
-- a new version. Open fills the table from the records (outpost_meta key
-- 'scopes' names the rules it was filled by).
CREATE TABLE scopes (
	scope   text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	PRIMARY KEY (scope, version)
);
CREATE INDEX scopes_version ON scopes (version);

CREATE FUNCTION outpost_unindex() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM scopes WHERE version = OLD.version;
	RETURN NULL;
END
$$;
CREATE TRIGGER records_unindex AFTER UPDATE OF version ON records
	FOR EACH ROW WHEN (OLD.version <> NEW.version) EXECUTE FUNCTION outpost_unindex();

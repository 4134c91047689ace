-- Rights of Bredvid's runtime role (docs/operations.md §1). Run it connected to the application database
-- AS THE OWNER ROLE (the role that runs `migrate` and so owns every table, function and trigger), after
-- the first `migrate`:
--
--   psql "postgres://bredvid_owner@db.kommun.se:5432/bredvid" -v ON_ERROR_STOP=1 -v app_role=bredvid_app \
--        -f docs/sql/app_role.sql
--
-- The runtime role owns nothing, so it cannot DROP or DISABLE a trigger, ALTER or TRUNCATE a table; on the
-- audit log it may only read and append. tests/audit/test_db_roles.py runs this very file on PostgreSQL.

GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";

-- tables and sequences that later migrations create (as this owner) get the same rights automatically
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role";
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO :"app_role";

-- the audit log: events are only read and appended; a chain head is locked (SELECT ... FOR UPDATE) and moved
REVOKE ALL ON audit_auditevent FROM :"app_role";
GRANT SELECT, INSERT ON audit_auditevent TO :"app_role";
REVOKE ALL ON audit_auditchainhead FROM :"app_role";
GRANT SELECT, INSERT, UPDATE ON audit_auditchainhead TO :"app_role";

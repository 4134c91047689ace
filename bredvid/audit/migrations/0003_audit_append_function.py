"""PostgreSQL: append an audit event in one statement (lock the chain head, hash, insert, move the head).

The hash is the same canonical form that verify_audit_chain recomputes (see services._PG_CANONICAL),
so the writer and the verifier cannot drift apart.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION audit_append(
    p_chain text, p_occurred_at timestamptz, p_municipality uuid, p_actor bigint, p_actor_username text,
    p_via text, p_action text, p_object_type text, p_object_id text, p_person uuid, p_subjects text,
    p_ip inet, p_reason text, p_detail text
) RETURNS TABLE (event_id bigint, event_seq bigint, event_prev text, event_hash text) AS $$
DECLARE
    v_seq bigint;
    v_prev text;
    v_hash text;
    v_id bigint;
BEGIN
    INSERT INTO audit_auditchainhead (chain, seq, last_hash)
        VALUES (p_chain, 0, repeat('0', 64)) ON CONFLICT (chain) DO NOTHING;
    SELECT seq + 1, last_hash INTO v_seq, v_prev FROM audit_auditchainhead WHERE chain = p_chain FOR UPDATE;
    v_hash := encode(sha256(convert_to(concat_ws(chr(31),
        p_chain, v_seq::text, ((extract(epoch from p_occurred_at) * 1000000)::bigint)::text,
        coalesce(p_municipality::text, ''), coalesce(p_actor::text, ''), p_actor_username, p_via, p_action,
        p_object_type, p_object_id, coalesce(p_person::text, ''), p_subjects, coalesce(host(p_ip), ''), p_reason,
        p_detail, v_prev), 'UTF8')), 'hex');
    INSERT INTO audit_auditevent (chain, seq, municipality_id, occurred_at, actor_id, actor_username, via, action,
        object_type, object_id, person_id, subjects, ip, reason, detail_json, prev_hash, hash)
    VALUES (p_chain, v_seq, p_municipality, p_occurred_at, p_actor, p_actor_username, p_via, p_action,
        p_object_type, p_object_id, p_person, p_subjects, p_ip, p_reason, p_detail, v_prev, v_hash)
    RETURNING id INTO v_id;
    UPDATE audit_auditchainhead SET seq = v_seq, last_hash = v_hash WHERE chain = p_chain;
    RETURN QUERY SELECT v_id, v_seq, v_prev, v_hash;
END;
$$ LANGUAGE plpgsql;
"""
REVERSE = "DROP FUNCTION IF EXISTS audit_append(text, timestamptz, uuid, bigint, text, text, text, text, text, uuid, text, inet, text, text);"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [migrations.RunPython(forward, reverse)]

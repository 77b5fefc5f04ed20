"""Issued documents never change (SPEC §7): the database refuses it too. Once a document has its
number, its number, type, dates of issue and due, currency, language, client and home company and
their snapshots, addresses, amounts and tax lines, reverse charge and stored PDF are fixed; only its
status, paid date, the amounts paid or refunded so far and the link to the document it led to (set
once) may move. Its items never change, issued documents and their items are never deleted, and
TRUNCATE is refused (see ledger 0005). PostgreSQL and SQLite alike, except that SQLite, which
Django flushes with DELETE between tests, only guards updates."""

from django.db import migrations

FIXED = ["number", "type", "issue_date", "due_date", "currency", "language", "client_id", "home_company_id",
         "client_snapshot", "company_snapshot", "billing_address", "shipping_address", "net", "tax", "total",
         "tax_lines", "reverse_charge"]

PG_CHANGED = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FIXED)
SQLITE_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FIXED)

# Column names come from FIXED above, never from input.
PG_CREATE = f"""
CREATE OR REPLACE FUNCTION invoicing_document_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.number IS NOT NULL THEN
            RAISE EXCEPTION 'issued document % is never deleted', OLD.number;
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.number IS NOT NULL AND ({PG_CHANGED}
            OR (OLD.related_id IS NOT NULL AND NEW.related_id IS DISTINCT FROM OLD.related_id)
            OR (OLD.pdf_sha256 <> '' AND (NEW.pdf_sha256 IS DISTINCT FROM OLD.pdf_sha256
                                          OR NEW.pdf_name IS DISTINCT FROM OLD.pdf_name))) THEN
        RAISE EXCEPTION 'issued document % cannot change: only its status, paid date and amounts paid or refunded move', OLD.number;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS invoicing_document_immutable ON invoicing_document;
CREATE TRIGGER invoicing_document_immutable BEFORE UPDATE OR DELETE ON invoicing_document
    FOR EACH ROW EXECUTE FUNCTION invoicing_document_immutable();

CREATE OR REPLACE FUNCTION invoicing_item_immutable() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM invoicing_document d WHERE d.id = OLD.document_id AND d.number IS NOT NULL) THEN
        RAISE EXCEPTION 'items of an issued document never change (item % of document %)', OLD.position, OLD.document_id;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS invoicing_item_immutable ON invoicing_documentitem;
CREATE TRIGGER invoicing_item_immutable BEFORE UPDATE OR DELETE ON invoicing_documentitem
    FOR EACH ROW EXECUTE FUNCTION invoicing_item_immutable();

DROP TRIGGER IF EXISTS invoicing_document_no_truncate ON invoicing_document;
CREATE TRIGGER invoicing_document_no_truncate BEFORE TRUNCATE ON invoicing_document
    FOR EACH STATEMENT EXECUTE FUNCTION clientpanel_refuse_truncate();
DROP TRIGGER IF EXISTS invoicing_item_no_truncate ON invoicing_documentitem;
CREATE TRIGGER invoicing_item_no_truncate BEFORE TRUNCATE ON invoicing_documentitem
    FOR EACH STATEMENT EXECUTE FUNCTION clientpanel_refuse_truncate();
DROP TRIGGER IF EXISTS invoicing_payment_no_truncate ON invoicing_payment;
CREATE TRIGGER invoicing_payment_no_truncate BEFORE TRUNCATE ON invoicing_payment
    FOR EACH STATEMENT EXECUTE FUNCTION clientpanel_refuse_truncate();
"""  # noqa: S608
PG_DROP = """
DROP TRIGGER IF EXISTS invoicing_document_immutable ON invoicing_document;
DROP TRIGGER IF EXISTS invoicing_item_immutable ON invoicing_documentitem;
DROP TRIGGER IF EXISTS invoicing_document_no_truncate ON invoicing_document;
DROP TRIGGER IF EXISTS invoicing_item_no_truncate ON invoicing_documentitem;
DROP TRIGGER IF EXISTS invoicing_payment_no_truncate ON invoicing_payment;
DROP FUNCTION IF EXISTS invoicing_document_immutable();
DROP FUNCTION IF EXISTS invoicing_item_immutable();
"""
SQLITE_CREATE = [
    f"""CREATE TRIGGER IF NOT EXISTS invoicing_document_immutable BEFORE UPDATE ON invoicing_document
    WHEN OLD.number IS NOT NULL AND ({SQLITE_CHANGED}
        OR (OLD.related_id IS NOT NULL AND NEW.related_id IS NOT OLD.related_id)
        OR (OLD.pdf_sha256 <> '' AND (NEW.pdf_sha256 IS NOT OLD.pdf_sha256 OR NEW.pdf_name IS NOT OLD.pdf_name)))
    BEGIN SELECT RAISE(ABORT, 'issued documents cannot change: only their status, paid date and amounts paid or refunded move'); END""",
    """CREATE TRIGGER IF NOT EXISTS invoicing_item_immutable BEFORE UPDATE ON invoicing_documentitem
    WHEN EXISTS (SELECT 1 FROM invoicing_document d WHERE d.id = OLD.document_id AND d.number IS NOT NULL)
    BEGIN SELECT RAISE(ABORT, 'items of an issued document never change'); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS invoicing_document_immutable", "DROP TRIGGER IF EXISTS invoicing_item_immutable"]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement, params=None)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0002_document_pdf"), ("ledger", "0005_refuse_truncate")]

    operations = [migrations.RunPython(create, drop)]

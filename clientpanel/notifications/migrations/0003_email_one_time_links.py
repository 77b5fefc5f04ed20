"""One-time links leave the stored e-mails (notifications/links.py): the password, set-password and
verification links already written into messages are replaced by their placeholders — kept in
`links` for a message still to be sent, dropped for one sent or given up — so that no page, export
or resend shows them. Old links that are still valid stop being readable by staff at once."""

import re

from django.db import migrations, models

KINDS = ("welcome", "invitation", "password_reset", "email_verification")
# The portal's link pages (portal/urls.py): password/set, password/reset, verify — with a user id
# and a token.
LINK = re.compile(r"https?://[^\s\"'<>]+?/portal/(password/set|password/reset|verify)/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+/")
NAMES = {"password/set": "set_password_url", "password/reset": "reset_password_url", "verify": "verify_email_url"}


def forwards(apps, schema_editor):
    EmailMessage = apps.get_model("notifications", "EmailMessage")
    for message in EmailMessage.objects.filter(template__in=KINDS).only(
            "subject", "body_text", "body_html", "status", "links").iterator(chunk_size=500):
        found: dict[str, str] = {}

        def placeholder(match, found=found):
            name = NAMES[match.group(1)]
            found[name] = match.group(0)
            return f"[[one-time-link:{name}]]"

        texts = [LINK.sub(placeholder, text) for text in (message.subject, message.body_text, message.body_html)]
        if not found:
            continue
        message.subject, message.body_text, message.body_html = texts
        message.links = found if message.status in ("queued", "failed") else {}
        message.save(update_fields=["subject", "body_text", "body_html", "links"])


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0002_reminders"),
    ]

    operations = [
        migrations.AddField(
            model_name="emailmessage",
            name="links",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]

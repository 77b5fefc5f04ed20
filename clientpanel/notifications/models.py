from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    GIVEN_UP = "given_up", _("Given up")
    # Not sent, nor to be: the client was closed (or marked as fraud) before it went (rules.py).
    WITHHELD = "withheld", _("Not sent, client closed")


class EmailMessage(models.Model):
    """One e-mail, rendered when its cause happened and written in the same transaction, so it
    exists exactly when the cause does; the sending job (sending.py) delivers it, retrying
    temporary failures with back-off, and keeps every attempt's outcome for the E-mails tab."""

    created_at = models.DateTimeField()
    template = models.CharField(max_length=40)  # welcome, document_issued…
    language = models.CharField(max_length=8)
    recipient = models.EmailField(max_length=254)
    # Whom it concerns: the E-mails tab of the client, and the user it went to (both may be gone).
    client_id = models.UUIDField(null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    # What the message is about, when a job must send it once only ("reminder:<document>:due").
    reference = models.CharField(max_length=100, blank=True)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # Attachments by reference: [{"document_id": "…"}] — the stored PDF, read when sending.
    attachments = models.JSONField(default=list, blank=True)
    # One-time links (to choose a password, to confirm the address): the subject and bodies name
    # them by placeholder (notifications/links.py), filled in only as the message is sent and
    # forgotten once it is sent or given up, so that the E-mails tab, a data export or a resend
    # never shows a link that would let its reader into the recipient's account.
    links = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sending job's claim: only what waits, however many were sent.
            models.Index(fields=["next_attempt_at", "id"], condition=models.Q(status__in=["queued", "failed"]),
                         name="email_due_idx"),
            models.Index(fields=["client_id", "-created_at"], name="email_client_idx"),
            models.Index(fields=["-created_at"], name="email_created_idx"),
            # Settings → E-mail log sorted by recipient (selectors.EMAIL_SORTS), read both ways.
            models.Index(fields=["recipient", "id"], name="email_recipient_idx"),
            models.Index(fields=["reference"], condition=~models.Q(reference=""), name="email_reference_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.template} to {self.recipient} ({self.status})"


class EmailTemplate(models.Model):
    """A staff edit of a shipped template for one message and language (Settings → E-mail
    templates). Without a row the shipped default is used; a reset deletes the row."""

    key = models.CharField(max_length=40)
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "language"], name="email_template_unique")]

    def __str__(self) -> str:
        return f"{self.key} ({self.language})"

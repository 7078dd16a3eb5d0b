"""The customer-service assistant: knowledge-base articles, their search index, conversations."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleCategory(models.TextChoices):
    POLICY = "policy", _("Policy")
    SHIPPING = "shipping", _("Shipping")
    RETURNS = "returns", _("Returns")
    PAYMENT = "payment", _("Payment")
    FAQ = "faq", _("FAQ")
    OTHER = "other", _("Other")


class KnowledgeArticle(models.Model):
    """One help-centre article, in one language, that the assistant answers from."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        allow_unicode=True,
        help_text=_("Stable key of the article; imports update the article with this slug."),
    )
    body = models.TextField(
        _("body"),
        help_text=_("Plain text; blank lines separate paragraphs. Shown to customers as is."),
    )
    language = models.CharField(
        _("language"), max_length=16, default="en", help_text=_("BCP 47 code: en, zh-hans...")
    )
    category = models.CharField(
        _("category"), max_length=20, choices=ArticleCategory.choices, default=ArticleCategory.FAQ
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    is_published = models.BooleanField(
        _("published"), default=True, help_text=_("Only published articles are searched.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("knowledge-base article")
        verbose_name_plural = _("knowledge-base articles")
        ordering = ["language", "category", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class KnowledgeIndex(models.Model):
    """One build of the search index over the published articles.

    The newest row is the one served. ``passages`` lists ``[article_id, language, text]``
    per indexed passage; ``embeddings`` holds their sentence embeddings as a ``.npy``
    file's bytes (empty for the TF-IDF encoder, whose vectors are rebuilt from the text).
    """

    created_at = models.DateTimeField(_("built"), auto_now_add=True)
    encoder = models.CharField(_("encoder"), max_length=20)
    fingerprint = models.CharField(
        _("fingerprint"), max_length=64, help_text=_("Hash of the articles indexed.")
    )
    article_count = models.PositiveIntegerField(_("articles"), default=0)
    passages = models.JSONField(_("passages"), default=list)
    embeddings = models.BinaryField(_("embeddings"), blank=True, default=b"")
    duration_seconds = models.FloatField(_("build seconds"), default=0.0)

    class Meta:
        verbose_name = _("knowledge-base index")
        verbose_name_plural = _("knowledge-base indexes")
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]

    def __str__(self) -> str:
        built = f"{self.created_at:%Y-%m-%d %H:%M}" if self.created_at else "unsaved"
        return f"{self.encoder} index of {self.article_count} articles ({built})"


class ConversationStatus(models.TextChoices):
    OPEN = "open", _("Answered by the assistant")
    HANDED_OFF = "handed_off", _("Waiting for staff")
    ANSWERED = "answered", _("Answered by staff")
    CLOSED = "closed", _("Closed")


class Conversation(models.Model):
    """A customer's (or anonymous visitor's) chat with the assistant and staff.

    Owned by ``user`` when the visitor was logged in, else by ``session_hash`` (a salted
    hash of the session key, as in the event log). Only the owner can read or continue it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="crm_conversations",
        verbose_name=_("customer"),
    )
    session_hash = models.CharField(_("session"), max_length=64, blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=16, default="en")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ConversationStatus.choices,
        default=ConversationStatus.OPEN,
        db_index=True,
    )
    handoff_reason = models.CharField(_("hand-off reason"), max_length=200, blank=True)
    handed_off_at = models.DateTimeField(_("handed off"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last message"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"Conversation {self.pk}"


class Sender(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    ASSISTANT = "assistant", _("Assistant")
    AGENT = "agent", _("Staff")


class ConversationMessage(models.Model):
    """One message of a conversation.

    Assistant messages keep how they were made: ``confidence``, ``intent``, the
    ``articles`` cited (``[{"id": ..., "title": ...}]``, a copy, so later edits of the
    knowledge base do not rewrite history), ``handed_off`` and the ``backend`` that
    composed the text ("retrieval" when an article was quoted without a model).
    """

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.CharField(_("sender"), max_length=20, choices=Sender.choices)
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    intent = models.CharField(_("intent"), max_length=40, blank=True)
    articles = models.JSONField(_("articles cited"), default=list, blank=True)
    handed_off = models.BooleanField(_("handed off"), default=False)
    backend = models.CharField(_("composed by"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_sender_display()}: {self.text[:60]}"

"""The ``OSCAR_AI_CRM`` settings dict: documented defaults and lazy, cached access.

Every setting the app reads goes through :data:`crm_settings`; nothing else reads
``django.conf.settings`` for our keys. A shop overrides any key; sections are merged
one level deep, so ``{"CAPTURE": {"ENABLED": False}}`` keeps the other capture keys.
docs/settings.md documents each key.
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed

SETTINGS_NAME = "OSCAR_AI_CRM"

DEFAULTS: dict[str, dict[str, Any]] = {
    "CAPTURE": {
        # Master switch: False records nothing (receivers return at once).
        "ENABLED": True,
        # Record visitors who are not logged in, keyed by a salted hash of their session key.
        "ANONYMOUS": True,
        # Give an anonymous visitor without a session one, so that their history can be
        # merged into their customer record when they log in. One session write per visitor.
        "CREATE_SESSIONS": True,
        # Honour the browser's "Do Not Track" (DNT: 1) and Global Privacy Control
        # (Sec-GPC: 1) headers: such requests are not recorded.
        "HONOUR_DO_NOT_TRACK": True,
        # Requests whose User-Agent matches any of these regular expressions (case-insensitive)
        # are not recorded.
        "BOT_USER_AGENTS": [
            r"bot\b",
            r"bot/",
            r"crawl",
            r"spider",
            r"slurp",
            r"scrape",
            r"curl/",
            r"wget/",
            r"python-requests",
            r"python-urllib",
            r"httpclient",
            r"headlesschrome",
            r"phantomjs",
            r"lighthouse",
            r"pingdom",
            r"uptime",
            r"monitor",
            r"facebookexternalhit",
            r"embedly",
            r"preview",
            r"go-http-client",
            r"okhttp",
            r"axios/",
            r"node-fetch",
        ],
        # Treat a request without any User-Agent header as a bot (browsers always send one).
        "IGNORE_EMPTY_USER_AGENT": True,
        # Longest search query kept; longer ones are truncated.
        "MAX_QUERY_LENGTH": 200,
        # "background": views, searches and basket additions are queued in memory and written
        # by a background thread, off the shopper's request. "inline": written during the
        # request. Orders, reviews and logins are always written inline.
        "WRITE_MODE": "background",
        # Background mode: events queued per process at most (beyond that new ones are dropped
        # with a warning), and the longest wait before a partial batch is written.
        "BACKGROUND_QUEUE_SIZE": 10000,
        "BACKGROUND_FLUSH_SECONDS": 0.5,
    },
    "PRIVACY": {
        # Customer personal data (names, emails, addresses, phone numbers) may be sent to an
        # LLM backend that runs outside this server. Off: such data is redacted first.
        "SEND_PII_TO_EXTERNAL_LLM": False,
    },
    "RECOMMENDATIONS": {
        # The models trained and evaluated: alias -> {"CLASS": import string, "OPTIONS": kwargs}.
        # A shop's value replaces this dict as a whole. See docs/recommendations.md.
        "MODELS": {
            "popularity": {
                "CLASS": "oscar_ai_crm.recommenders.popularity.PopularityRecommender",
                "OPTIONS": {"half_life_days": 30},
            },
            "history": {
                "CLASS": "oscar_ai_crm.recommenders.history.PurchaseHistoryRecommender",
                "OPTIONS": {},
            },
            "item_knn": {
                "CLASS": "oscar_ai_crm.recommenders.item_knn.ItemKNNRecommender",
                "OPTIONS": {"K": 100},
            },
            "als": {
                "CLASS": "oscar_ai_crm.recommenders.als.ALSRecommender",
                "OPTIONS": {"factors": 48, "iterations": 10, "random_state": 42},
            },
            "bought_together": {
                "CLASS": "oscar_ai_crm.recommenders.cooccurrence.BoughtTogetherRecommender",
                "OPTIONS": {},
            },
            "ratings": {
                "CLASS": "oscar_ai_crm.recommenders.ratings.RatingsRecommender",
                # Item-item KNN with baselines: RMSE 0.918 on MovieLens-100k (5-fold CV).
                "OPTIONS": {
                    "algorithm": "KNNBaseline",
                    "sim_name": "pearson_baseline",
                    "user_based": False,
                    "k": 40,
                    "random_state": 42,
                },
            },
            "text": {
                "CLASS": "oscar_ai_crm.recommenders.content.TextSimilarityRecommender",
                "OPTIONS": {"encoder": "auto"},
            },
            "hybrid": {
                "CLASS": "oscar_ai_crm.recommenders.hybrid.HybridRecommender",
                "OPTIONS": {
                    "components": ["popularity", "history", "item_knn", "als", "bought_together"],
                    "tune_weights": True,
                    "random_state": 42,
                },
            },
        },
        # Alias whose top-N per customer is served ("recommended for you").
        "SERVE": "hybrid",
        # Aliases whose similar_items() feed the "similar products" and "frequently bought
        # together" tags.
        "SIMILAR": "item_knn",
        "SIMILAR_TEXT": "text",
        "BOUGHT_TOGETHER": "bought_together",
        # Weight of each event kind in the implicit-feedback matrix (view < basket < order).
        "EVENT_WEIGHTS": {"view": 1.0, "basket_add": 3.0, "purchase": 5.0, "review": 2.0},
        # Train on the last N days of events (None: all of them).
        "TRAINING_DAYS": 365,
        # Items precomputed per customer and per product (the tags show up to this many).
        "TOP_N": 24,
        # Never recommend what the customer already bought (False suits shops where customers
        # re-order: groceries, consumables).
        "EXCLUDE_PURCHASED": True,
        # Offline evaluation before promotion: cut-off rank, share of the timeline held out
        # for testing, and the event kinds counted as hits.
        "EVALUATION": {"K": 10, "TEST_FRACTION": 0.2, "TARGET_EVENTS": ["purchase"]},
        # A new run replaces the serving one only if its K-metric is not worse than this
        # fraction of the serving run's metric on the same split (1.0 = not worse at all).
        "PROMOTION_TOLERANCE": 1.0,
        "PROMOTION_METRIC": "ndcg",
        # Import string of the serve-time business rules (stock, availability).
        "RULES_CLASS": "oscar_ai_crm.recommenders.rules.AvailabilityRules",
        # Seconds a rendered recommendation tag is cached (0: not cached).
        "CACHE_SECONDS": 300,
        # django-q2 schedule for training: a cron string, e.g. "0 3 * * *" (None: no schedule).
        "SCHEDULE": "30 3 * * *",
    },
    "SEGMENTS": {
        # K-means tries every number of clusters from K_MIN to K_MAX and keeps the one with
        # the best silhouette score (reported on the run).
        "K_MIN": 2,
        "K_MAX": 8,
        # Seed of K-means and of the intent/churn models: repeat runs on the same data agree.
        "RANDOM_STATE": 42,
        # Above this many customers MiniBatchKMeans replaces KMeans (same results, less time).
        "MINIBATCH_ABOVE": 20000,
        # Silhouette scores are computed on a random sample of this many customers
        # (the exact score is quadratic in the number of customers).
        "SILHOUETTE_SAMPLE": 5000,
        # Purchase intent: the probability of an order within this many days.
        "INTENT_HORIZON_DAYS": 30,
        # Churn: a customer who has not ordered for this many days is counted as churned.
        "CHURN_DAYS": 90,
        # A basket addition not followed by an order within this many days is abandoned.
        "ABANDON_WINDOW_DAYS": 7,
        # Customers with more events than this on any single day are treated as bots and
        # left out of the features, clusters and predictions.
        "BOT_EVENTS_PER_DAY": 500,
        # Features are clipped at this quantile before scaling, so a few extreme customers
        # cannot make a cluster of their own (None: no clipping).
        "CLIP_QUANTILE": 0.99,
        # Compute features from the last N days of events (None: the whole history).
        "HISTORY_DAYS": None,
        # django-q2 schedule for segmentation: a cron string (None: no schedule).
        "SCHEDULE": "0 4 * * *",
        # Import string of a callable naming personas, e.g. one asking the LLM layer
        # (None: clear rules name them: champions, loyal, at risk, hibernating, new...).
        "PERSONA_NAMER": None,
        # Import string of a callable returning {user id: label}, a grouping of customers
        # known outside the CRM (e.g. the demo generator's hidden personas). crm_segment
        # reports the adjusted Rand index of the clusters against it; models never read it.
        "REFERENCE_LABELS": None,
    },
    "LLM": {
        # Alias (a key of BACKENDS) of the backend used when a feature or command names none.
        # "offline" writes drafts from the product's own data without any model.
        "BACKEND": "offline",
        # The text generators: alias -> {"CLASS": import string, "OPTIONS": constructor kwargs}.
        # A shop's value replaces this dict as a whole. Adding a backend = one class + one
        # line here; see docs/llm.md.
        "BACKENDS": {
            "offline": {
                "CLASS": "oscar_ai_crm.llm.backends.offline.OfflineBackend",
                "OPTIONS": {},
            },
            "openai": {
                "CLASS": "oscar_ai_crm.llm.backends.openai_backend.OpenAIBackend",
                # Any OpenAI-compatible chat server (OpenAI, vLLM, Ollama, llama.cpp). None
                # base_url / api_key: the client's OPENAI_BASE_URL / OPENAI_API_KEY variables.
                # The client retries timeouts, 429 and 5xx max_retries times with backoff.
                "OPTIONS": {
                    "model": "gpt-4o-mini",
                    "base_url": None,
                    "api_key": None,
                    "timeout": 30,
                    "max_retries": 2,
                },
            },
            "transformers": {
                "CLASS": "oscar_ai_crm.llm.backends.transformers_backend.TransformersBackend",
                # model: a local directory or a name already in the Hugging Face cache (None:
                # not configured). Nothing is downloaded while local_files_only is True.
                # device: "auto" (CUDA when present, else CPU), "cpu", "cuda", "cuda:1"...
                "OPTIONS": {"model": None, "device": "auto", "local_files_only": True},
            },
        },
        # Sampling limits sent with every request (a prompt template may lower them).
        "MAX_TOKENS": 400,
        "TEMPERATURE": 0.7,
        # Bulk generation: requests in flight at once, requests per minute at most to a
        # backend outside this server (0: no limit; local backends are never held back),
        # and products per django-q2 task.
        "CONCURRENCY": 4,
        "REQUESTS_PER_MINUTE": 120,
        "BATCH_SIZE": 25,
        # Publish a generated description without a merchant's approval when its grounding
        # check found nothing unsupported. Off: every draft waits for review.
        "AUTO_PUBLISH": False,
        # Choices offered to merchants: tones, languages (BCP 47 codes) and lengths
        # (name -> target number of words).
        "TONES": ["professional", "friendly", "luxury", "playful"],
        "LANGUAGES": ["en", "zh-hans"],
        "LENGTHS": {"short": 60, "medium": 120, "long": 250},
    },
    "SUPPORT": {
        # Master switch of the customer-service assistant (endpoint, widget, index task).
        "ENABLED": True,
        # Alias of an LLM backend (a key of LLM["BACKENDS"]) that writes grounded answers
        # citing the knowledge-base articles found. None: the best article's own text is
        # the answer (no language model; the default, and what runs offline).
        "LLM_BACKEND": None,
        # Sentence encoder of the knowledge-base index: "auto" (MiniLM when the [local]
        # extra is installed, else TF-IDF), "minilm" or "tfidf".
        "ENCODER": "auto",
        # Confidence (0-1) at or above which the assistant answers; below it the
        # conversation is handed off to a person in the staff inbox.
        "ANSWER_THRESHOLD": 0.5,
        # Articles at most cited with an answer (and given to the LLM backend).
        "MAX_ARTICLES": 3,
        # Longest customer message accepted, in characters (longer: HTTP 400).
        "MAX_MESSAGE_LENGTH": 1000,
        # Messages a visitor (session or customer) may send per window; beyond: HTTP 429.
        "RATE_LIMIT_MESSAGES": 20,
        "RATE_LIMIT_SECONDS": 600,
        # Orders listed for "my recent orders".
        "RECENT_ORDERS": 5,
        # Seconds between the widget's checks for a staff reply while handed off.
        "POLL_SECONDS": 15,
    },
    "TASKS": {
        # django-q2 cluster name that our tasks are queued on (None: the default cluster).
        "CLUSTER": None,
        # Extra django-q2 options passed with every task we queue (e.g. {"timeout": 3600}).
        "Q_OPTIONS": {},
    },
}


class CrmSettings:
    """Lazy view of ``settings.OSCAR_AI_CRM`` merged over :data:`DEFAULTS`.

    Sections are read as attributes (``crm_settings.CAPTURE["ENABLED"]``). The merged
    dict is built on first access and rebuilt when Django's ``setting_changed`` fires.
    """

    def __init__(self, defaults: dict[str, dict[str, Any]]) -> None:
        self._defaults = defaults
        self._merged: dict[str, dict[str, Any]] | None = None
        self.version = 0

    def user_settings(self) -> Any:
        return getattr(settings, SETTINGS_NAME, {})

    def _build(self) -> dict[str, dict[str, Any]]:
        merged = copy.deepcopy(self._defaults)
        user = self.user_settings()
        if not isinstance(user, dict):
            return merged  # reported by checks.E001
        for section, values in user.items():
            if section in merged and isinstance(values, dict):
                merged[section].update(values)
        return merged

    def __getattr__(self, section: str) -> dict[str, Any]:
        if section.startswith("_"):
            raise AttributeError(section)
        if self._merged is None:
            self._merged = self._build()
        try:
            return self._merged[section]
        except KeyError:
            raise AttributeError(f"Unknown {SETTINGS_NAME} section: {section!r}") from None

    def reload(self) -> None:
        self._merged = None
        self.version += 1


crm_settings = CrmSettings(DEFAULTS)


def _reload_on_change(*, setting: str, **kwargs: Any) -> None:
    if setting == SETTINGS_NAME:
        crm_settings.reload()


setting_changed.connect(_reload_on_change)

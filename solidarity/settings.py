"""Solidarity settings: one module, every deploy-time value read from the environment.

With nothing set, the app runs on the embedded default: a SQLite file, Celery tasks run
eagerly in-process, e-mail printed to the console. Production sets SOLIDARITY_PRODUCTION=true,
which demands a real SECRET_KEY and ALLOWED_HOSTS and turns on the secure transport settings
that ``manage.py check --deploy`` looks for.
"""

import ipaddress
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """A boolean from the environment; anything but a clear yes or no fails loudly."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false, 1/0, yes/no).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """An integer from the environment; a malformed or out-of-range value fails loudly."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


PRODUCTION = env_bool("SOLIDARITY_PRODUCTION", False)
DEBUG = env_bool("DEBUG", False)

_DEV_SECRET = "dev-insecure-key-for-the-embedded-default-only-never-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET)
if PRODUCTION:
    if SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be set to 50+ random characters in production.")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be false in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's host names in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    # kernel
    "solidarity.accounts",
    "solidarity.catalog",
    "solidarity.audit",
    "solidarity.notifications",
    # domain
    "applications",
    "benefits",
    "harms",
    "reviews",
    "grants",
    # faces
    "solidarity.register",
    "solidarity.auditing",
]

MIDDLEWARE = [
    "solidarity.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "solidarity.middleware.ContentSecurityPolicyMiddleware",
    "solidarity.middleware.PrivateResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "solidarity.middleware.BadInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the account and its roles read through the shared cache.
    "solidarity.accounts.session_user.AuthenticationMiddleware",
    "solidarity.accounts.language.UserLanguageMiddleware",
    "solidarity.accounts.middleware.StaffIdleTimeoutMiddleware",
    "solidarity.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "solidarity.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # Static files with hashed names and pre-compressed copies, served without a proxy
    # (runserver serves them for the embedded default).
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

ROOT_URLCONF = "solidarity.urls"
WSGI_APPLICATION = "solidarity.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "solidarity.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections (seconds; 0 closes after each request): a new PostgreSQL connection
# is a new server process with cold catalogue caches, paid again on every request otherwise.
# Checked before reuse, so a restarted database costs one failed check, not an error page.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Django's engines with the audit chain appended just before COMMIT (solidarity/db).
DATABASES["default"]["ENGINE"] = {
    "django.db.backends.postgresql": "solidarity.db.postgresql",
    "django.db.backends.sqlite3": "solidarity.db.sqlite3",
}.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A writer waits for the lock instead of failing at once when Celery runs eagerly.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

if PRODUCTION and not env.str("CACHE_URL", default=""):
    # Sign-in lockouts and harm-report rate limits must be shared by every worker process.
    raise ImproperlyConfigured("CACHE_URL must name a shared cache (Redis) in production.")
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://solidarity")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account or address
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: anonymous visitors hold no object permissions
GUARDIAN_RAISE_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Failed sign-ins allowed per account (from any address) and per address (across accounts)
# before a pause, and the pause in seconds. Counted by django-axes.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 900, minimum=1)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = "solidarity.accounts.lockout.failure_limit"
AXES_COOLOFF_TIME = "solidarity.accounts.lockout.cool_off"
AXES_LOCKOUT_CALLABLE = "solidarity.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "solidarity.clientip.client_address"
AXES_RESET_ON_SUCCESS = True

# The second factor (django-otp): these roles must enrol before they use their role; anyone
# else may opt in. There is no setting that turns this off.
MFA_REQUIRED_ROLES = [
    "harm_officer",
    "chair",
    "secretariat",
    "auditor",
    "benefit_officer",
    "custodian",
]
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Solidarity")
# Passkeys and security keys (django-otp-webauthn), as a second factor only.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = "Solidarity"
OTP_WEBAUTHN_RP_ID_CALLABLE = "solidarity.accounts.webauthn.relying_party_id"
# The origins a browser may use the keys from: the site's own (an https SITE_URL) unless
# listed; in development http://localhost:8000 (WebAuthn needs https or localhost).
_site = env.str("SITE_URL", default="").rstrip("/")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "WEBAUTHN_ORIGINS", [_site] if _site.startswith("https://") else ["http://localhost:8000"]
)
# Staff sessions (the roles above) end after this many seconds without a request.
STAFF_IDLE_TIMEOUT_SECONDS = env_int("STAFF_IDLE_TIMEOUT_SECONDS", 30 * 60, minimum=60)

# Reverse proxies in front of the app. Forwarded headers (X-Forwarded-For) are believed only
# from these: TRUSTED_PROXIES lists their addresses or networks; NUM_PROXIES counts them.
# Neither set (the default): every limit uses the connection's own address.
NUM_PROXIES = env_int("NUM_PROXIES", 0, minimum=0)
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an address or network."
        ) from None

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Day-month-year and a named time zone in every language (solidarity/formats/<lang>/).
FORMAT_MODULE_PATH = ["solidarity.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Vienna")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production: hashed names and gzip/brotli copies made by collectstatic (WhiteNoise).
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Uploaded files are never served from a public URL; views stream them after a permission check.
# Days an invitation to join an application's team stays open (issue 16).
TEAM_INVITATION_DAYS = env_int("TEAM_INVITATION_DAYS", 14, minimum=1)
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# Word and OpenDocument files are zip archives: caps on what they may unpack to.
UPLOAD_ARCHIVE_MAX_BYTES = env_int("UPLOAD_ARCHIVE_MAX_BYTES", 100 * 1024 * 1024, minimum=1024)
UPLOAD_ARCHIVE_MAX_RATIO = env_int("UPLOAD_ARCHIVE_MAX_RATIO", 100, minimum=2)
UPLOAD_ARCHIVE_MAX_ENTRIES = env_int("UPLOAD_ARCHIVE_MAX_ENTRIES", 2000, minimum=10)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Solidarity <no-reply@solidarity.local>")

# Celery: with no broker configured, tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None) or None
CELERY_TASK_ACKS_LATE = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# A web request waits at most about a second for a broker that is down; the work stays in the
# database (outbox row, queued report job) and the periodic recovery sends it once it is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# A worker killed mid-task gives its message back to the broker.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Slow PDF builds never hold up e-mail: each has its own queue
# (a worker runs with -Q celery,reports,notifications, or one worker per queue).
CELERY_TASK_ROUTES = {
    "solidarity.auditing.tasks.*": {"queue": "reports"},
    "solidarity.notifications.tasks.*": {"queue": "notifications"},
    "harms.tasks.email_reporter": {"queue": "notifications"},
}
# How long an undelivered e-mail waits in the outbox before the periodic retry picks it up.
NOTIFICATION_RETRY_AFTER_SECONDS = env_int("NOTIFICATION_RETRY_AFTER_SECONDS", 60, minimum=0)
# How often beat looks for undelivered e-mail and report jobs left behind by an outage.
RECOVERY_INTERVAL_SECONDS = env_int("RECOVERY_INTERVAL_SECONDS", 30, minimum=5)
# A report build's lease: a worker extends it as it progresses; when it expires (the worker
# died) the job is taken over, up to REPORT_MAX_ATTEMPTS builds, then failed visibly.
REPORT_LEASE_SECONDS = env_int("REPORT_LEASE_SECONDS", 600, minimum=10)
REPORT_MAX_ATTEMPTS = env_int("REPORT_MAX_ATTEMPTS", 3, minimum=1)
# A queued job handed to the broker this long ago and still not started is sent again.
REPORT_REQUEUE_AFTER_SECONDS = env_int("REPORT_REQUEUE_AFTER_SECONDS", 300, minimum=10)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only; the browsable API (without forms that list objects) in development only.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["solidarity.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    "DEFAULT_PAGINATION_CLASS": "solidarity.api.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "solidarity.filtering.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "solidarity.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute", "harm_report": "10/hour"},
    # DRF's own throttles: the same count of proxies (0: X-Forwarded-For ignored).
    "NUM_PROXIES": NUM_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Solidarity API",
    "DESCRIPTION": "Governance of health-data use: applications, reviews, harms, benefit sharing.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation documents the API's one error shape and the statuses it may answer.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "solidarity.api.document_error_responses",
    ],
    # Choice sets that share a field name ("kind", "state") get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "DataUseEnum": "solidarity.catalog.duo.DataUse",
        "OrganisationKindEnum": "solidarity.catalog.models.OrganisationKind",
        "ApplicationStateEnum": "applications.models.ApplicationState",
        "DatasetRequestStateEnum": "applications.models.DatasetRequest.State",
        "AttachmentKindEnum": "applications.models.Attachment.Kind",
        "AgreementKindEnum": "benefits.models.AgreementKind",
        "AgreementStateEnum": "benefits.models.AgreementState",
        "ObligationKindEnum": "benefits.models.ObligationKind",
        "ObligationStateEnum": "benefits.models.ObligationState",
        "ObligationReportStateEnum": "benefits.models.ReportState",
        "TransactionKindEnum": "benefits.models.TransactionKind",
        "HarmReportStateEnum": "harms.models.HarmReportState",
        "RedressKindEnum": "harms.models.RedressKind",
        "RedressStateEnum": "harms.models.RedressState",
        "ChoiceKindEnum": "reviews.models.ChoiceKind",
        "AssessmentKindEnum": "reviews.models.AssessmentKind",
        "AssignmentStateEnum": "reviews.models.AssignmentState",
        "ConditionKindEnum": "reviews.models.ConditionKind",
        "ConditionStateEnum": "reviews.models.ConditionState",
        "MeetingStateEnum": "reviews.meeting_models.MeetingState",
        "GrantEndReasonEnum": "grants.models.EndReason",
        "RunVerdictEnum": "grants.models.Verdict",
        "RunStatusEnum": "grants.models.RunStatus",
        "ReviewerRoleEnum": "reviews.models.ReviewerRole",
        "MemberRoleEnum": "applications.team.MemberRole",
        "MemberStateEnum": "applications.team.MemberState",
        "MessageVisibilityEnum": "applications.conversation.Visibility",
        "MessageKindEnum": "applications.conversation.MessageKind",
    },
}

# Transport and cookie security: on in production, off for the embedded default on plain HTTP.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the shared cache and written through to the database, so a cache
# flush or a Redis restart signs nobody out (the next read falls back to the table).
SESSION_ENGINE = "solidarity.sessions"  # Django's cached_db, tolerant of a cache outage
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)

# Logs: JSON lines (one object per line, with the request id) in production, plain text for
# the embedded default; LOG_FORMAT overrides. Alerts (audit chain broken, e-mail given up,
# report failed, readiness lost) are logged at ERROR.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "solidarity.observability.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env.str("LOG_LEVEL", default="INFO" if PRODUCTION else "WARNING"),
    },
}
# Error reporting: only with a DSN (and sentry-sdk installed); reporters' data scrubbed.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from solidarity.observability import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production" if PRODUCTION else "dev"),
        release=env.str("SENTRY_RELEASE", default=""),
    )
# The port ``make run`` serves on; links in e-mails follow it unless SITE_URL says otherwise.
PORT = env_int("PORT", 8000, minimum=1)
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{PORT}").rstrip("/")
# Default quorum of non-recused committee members for a vote; each application may set its own.
REVIEW_QUORUM = env_int("REVIEW_QUORUM", 2, minimum=1)

# --- deadlines (issue 16): service levels of the secretariat, the committee and custodians ---
# Calendar days from submission: screening, a custodian's decision on each dataset, and the
# committee's decision. Past them an item is on the chair's and secretariat's late board.
SCREENING_DAYS = env_int("SCREENING_DAYS", 10, minimum=1)
CUSTODIAN_DECISION_DAYS = env_int("CUSTODIAN_DECISION_DAYS", 20, minimum=1)
DECISION_DAYS = env_int("DECISION_DAYS", 60, minimum=1)
# Reminders go this many days before a due date (reviews, custodian decisions, conditions,
# obligations), and on the day itself.
REMINDER_DAYS_BEFORE = [
    int(days) for days in env_list("REMINDER_DAYS_BEFORE", ["7", "1"]) if days.strip()
]

# --- harms (issue 6): harm-report service levels, appeals, rate limits, contact encryption ---
# Service-level deadlines in working days (Saturdays and Sundays skipped) from receipt.
HARM_ACKNOWLEDGE_WORKING_DAYS = env_int("HARM_ACKNOWLEDGE_WORKING_DAYS", 2, minimum=1)
HARM_TRIAGE_WORKING_DAYS = env_int("HARM_TRIAGE_WORKING_DAYS", 10, minimum=1)
HARM_DECISION_WORKING_DAYS = env_int("HARM_DECISION_WORKING_DAYS", 28, minimum=1)
# Calendar days after a decision during which the reporter may appeal.
HARM_APPEAL_WINDOW_DAYS = env_int("HARM_APPEAL_WINDOW_DAYS", 28, minimum=1)
# Harm review threshold (issue 15): this many reports of at least this severity about one
# dataset or organisation within this many days open a review of each active project using it.
HARM_REVIEW_THRESHOLD_REPORTS = env_int("HARM_REVIEW_THRESHOLD_REPORTS", 3, minimum=1)
HARM_REVIEW_THRESHOLD_SEVERITY = env.str("HARM_REVIEW_THRESHOLD_SEVERITY", default="severe")
if HARM_REVIEW_THRESHOLD_SEVERITY not in ("low", "moderate", "severe", "critical"):
    raise ImproperlyConfigured(
        "HARM_REVIEW_THRESHOLD_SEVERITY must be one of low, moderate, severe, critical."
    )
HARM_REVIEW_THRESHOLD_DAYS = env_int("HARM_REVIEW_THRESHOLD_DAYS", 90, minimum=1)
# Per client address: anonymous report submissions, and status look-ups by receipt code.
HARM_REPORT_RATE = env.str("HARM_REPORT_RATE", default="10/hour")
HARM_STATUS_RATE = env.str("HARM_STATUS_RATE", default="20/hour")
# Look-ups of any one receipt code (from any address), and of all codes together.
HARM_STATUS_CODE_RATE = env.str("HARM_STATUS_CODE_RATE", default="10/hour")
HARM_STATUS_GLOBAL_RATE = env.str("HARM_STATUS_GLOBAL_RATE", default="600/hour")
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["harm_report"] = HARM_REPORT_RATE
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["harm_status"] = HARM_STATUS_RATE
# Fernet keys (urlsafe base64, 32 bytes each) for reporters' contact details, comma-separated,
# newest first: the first encrypts, every one decrypts (MultiFernet). To rotate: put a new key
# in front, run `manage.py rotate_contact_key`, then drop the old one. Required in production;
# in development an empty value derives a key from SECRET_KEY.
HARM_CONTACT_KEY = env.str("HARM_CONTACT_KEY", default="")
# Key for the keyed hash of receipt codes (any long random string); its own setting, so that
# rotating SECRET_KEY leaves receipt codes working. Required in production.
HARM_RECEIPT_KEY = env.str("HARM_RECEIPT_KEY", default="")
if PRODUCTION:
    if not HARM_CONTACT_KEY:
        raise ImproperlyConfigured(
            "HARM_CONTACT_KEY must hold a Fernet key in production "
            "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())')."
        )
    if len(HARM_RECEIPT_KEY) < 32:
        raise ImproperlyConfigured("HARM_RECEIPT_KEY must be 32+ random characters in production.")
if HARM_CONTACT_KEY:
    from cryptography.fernet import Fernet as _Fernet

    for _key in HARM_CONTACT_KEY.split(","):
        try:
            _Fernet(_key.strip().encode())
        except ValueError:
            raise ImproperlyConfigured(
                "HARM_CONTACT_KEY: each key must be 32 url-safe base64-encoded bytes."
            ) from None
# Currency of financial redress paid from the solidarity fund.
HARM_REDRESS_CURRENCY = env.str("HARM_REDRESS_CURRENCY", default="EUR")

# --- grants (issue 14): visas, nodes, pushes ---
# The visa issuer ("iss") and the base of the dataset and JWKS URLs in visas.
VISA_ISSUER = env.str("VISA_ISSUER", default=SITE_URL)
# A visa lives at most this long (and never past the access expiry); a rotated key stays in
# the JWKS for this long after rotation.
VISA_LIFETIME_SECONDS = env_int("VISA_LIFETIME_SECONDS", 3600, minimum=60)
# Fernet key encrypting the visa private keys and the nodes' webhook secrets in the database;
# derived from SECRET_KEY with HKDF-SHA256 when empty.
VISA_KEY_SECRET = env.str("VISA_KEY_SECRET", default="")
# Pushes: attempts before giving up, the first backoff (doubling, capped at an hour), timeout.
GRANTS_WEBHOOK_MAX_ATTEMPTS = env_int("GRANTS_WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
GRANTS_WEBHOOK_BACKOFF_SECONDS = env_int("GRANTS_WEBHOOK_BACKOFF_SECONDS", 30, minimum=1)
GRANTS_WEBHOOK_TIMEOUT_SECONDS = env_int("GRANTS_WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
# Plain-http webhook addresses only outside production.
GRANTS_WEBHOOK_ALLOW_HTTP = env_bool("GRANTS_WEBHOOK_ALLOW_HTTP", not PRODUCTION)
# Webhooks to loopback, private and link-local addresses (checked at registration and on each
# attempt) only outside production, unless a deployment's nodes live on its own network.
GRANTS_WEBHOOK_ALLOW_INTERNAL = env_bool("GRANTS_WEBHOOK_ALLOW_INTERNAL", not PRODUCTION)

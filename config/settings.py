"""Bredvid settings.

Every runtime value comes from the environment (see `.env.example`). In production
(`DJANGO_ENV=production`) insecure or missing values stop the process at start-up
instead of being silently replaced by defaults.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("BREDVID_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()
_env_file = BASE_DIR / ".env"
if _env_file.exists():
    env.read_env(str(_env_file))

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be development, test or production")
PRODUCTION = DJANGO_ENV == "production"

_INSECURE_DEV_KEY = "django-insecure-bredvid-development-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="" if PRODUCTION else _INSECURE_DEV_KEY)
DEBUG = env.bool("DEBUG", default=not PRODUCTION and DJANGO_ENV != "test")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
BASE_URL = env.str("BASE_URL", default="http://127.0.0.1:8000")

# ---------------------------------------------------------------------------
# Applications
# ---------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_htmx",
    "ninja",
    "mozilla_django_oidc",
    "django_tasks",
    "django_tasks_db",
    "bredvid.core",
    "bredvid.accounts",
    "bredvid.tenancy",
    "bredvid.audit",
    "bredvid.people",
    "bredvid.deadlines",
    "bredvid.casework",
    "bredvid.supporters",
    "bredvid.matching",
    "bredvid.agreements",
    "bredvid.assignments",
    "bredvid.expenses",
    "bredvid.payments",
    "bredvid.api",
    "bredvid.www.staff",
    "bredvid.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "bredvid.api.middleware.ApiJsonErrorsMiddleware",  # JSON 404/405/413 under /api/v1/
    "bredvid.core.security_headers.PermissionsPolicyMiddleware",  # static files and redirects too
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "bredvid.audit.middleware.SessionMiddleware",  # Django's, plus one commit for session and reads
    "bredvid.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "bredvid.accounts.middleware.StaffLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bredvid.accounts.middleware.OTPRequiredMiddleware",
    "bredvid.tenancy.middleware.TenantMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "bredvid" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bredvid.tenancy.context_processors.tenant",
                "bredvid.www.staff.navigation.navigation",
            ],
        },
    },
]

# ---------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'bredvid.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db.setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
else:
    _db.setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    _db.setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://bredvid"),
}

# ---------------------------------------------------------------------------
# Authentication, sessions, MFA, lockout, SSO
# ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "accounts:login"

OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "sesame.backends.ModelBackend",  # only the enrolment links (scoped tokens) use it
]
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("bredvid.accounts.oidc.MunicipalOIDCBackend")
    OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
    OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
    OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
    # Staff accounts are provisioned by the municipality's administrator; SSO never creates users.
    OIDC_CREATE_USER = False

# The public e-service's sign-in with e-legitimation (issue 13): a second OpenID Connect client, at an
# eID broker, for the application for support. It never signs anyone in as a user: the ID token's
# identity number claim is kept in the session for PUBLIC_OIDC_IDENTITY_MINUTES, bound to the
# municipality (bredvid.www.public.eid). Claim and scope defaults are the Swedish OIDC profile's.
PUBLIC_OIDC_RP_CLIENT_ID = env.str("PUBLIC_OIDC_RP_CLIENT_ID", default="")
PUBLIC_OIDC_ENABLED = bool(PUBLIC_OIDC_RP_CLIENT_ID)
PUBLIC_OIDC_AUTHENTICATION_CALLBACK_URL = "public:eid_callback"
PUBLIC_OIDC_IDENTITY_CLAIM = env.str(
    "PUBLIC_OIDC_IDENTITY_CLAIM", default="https://id.oidc.se/claim/personalIdentityNumber"
)
PUBLIC_OIDC_IDENTITY_MINUTES = env.int("PUBLIC_OIDC_IDENTITY_MINUTES", default=20)
if PUBLIC_OIDC_ENABLED:
    PUBLIC_OIDC_RP_CLIENT_SECRET = env.str("PUBLIC_OIDC_RP_CLIENT_SECRET")
    PUBLIC_OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("PUBLIC_OIDC_OP_AUTHORIZATION_ENDPOINT")
    PUBLIC_OIDC_OP_TOKEN_ENDPOINT = env.str("PUBLIC_OIDC_OP_TOKEN_ENDPOINT")
    PUBLIC_OIDC_OP_USER_ENDPOINT = env.str("PUBLIC_OIDC_OP_USER_ENDPOINT", default="")  # not read
    PUBLIC_OIDC_OP_JWKS_ENDPOINT = env.str("PUBLIC_OIDC_OP_JWKS_ENDPOINT", default="")
    PUBLIC_OIDC_RP_SIGN_ALGO = env.str("PUBLIC_OIDC_RP_SIGN_ALGO", default="RS256")
    PUBLIC_OIDC_RP_SCOPES = env.str(
        "PUBLIC_OIDC_RP_SCOPES", default="openid https://id.oidc.se/scope/naturalPersonNumber"
    )
    PUBLIC_OIDC_USE_PKCE = env.bool("PUBLIC_OIDC_USE_PKCE", default=True)

PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ],
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
# Idle expiry: the session lives SESSION_COOKIE_AGE after the *last* request.
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
# Database sessions; the save joins the request's audit transaction without a savepoint
# (bredvid.audit.middleware.SessionMiddleware: one commit per page view).
SESSION_ENGINE = "bredvid.core.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

OTP_REQUIRED = env.bool("OTP_REQUIRED", default=PRODUCTION)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Bredvid")
# The admin never shows a device's secret (its key or QR code): a second factor is the user's alone.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Two limits inside one cool-off window: AXES_FAILURE_LIMIT failures for one user name from one
# address lock that pair (axes' own rule), and AXES_ADDRESS_FAILURE_LIMIT failures from one address
# across all user names lock the address (password spraying); see bredvid/accounts/lockout.py.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "bredvid.accounts.lockout.AddressLimitAxesHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "bredvid.core.http.client_ip"
AXES_VERBOSE = False

SESAME_MAX_AGE = 60 * 15
# Every sesame link works once: the token covers the last login, which using it (or any log-in) moves.
SESAME_ONE_TIME = True
# In production a first (or replacement) authenticator app is enrolled only through a single-use
# link from `manage.py enrolment_link USERNAME`, never with the password alone.
OTP_ENROLMENT_REQUIRES_LINK = env.bool("OTP_ENROLMENT_REQUIRES_LINK", default=PRODUCTION)
OTP_ENROLMENT_LINK_MAX_AGE = timedelta(hours=env.int("OTP_ENROLMENT_LINK_HOURS", default=72))

# ---------------------------------------------------------------------------
# Internationalisation: Swedish first, English through Django i18n
# ---------------------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "bredvid" / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------------------
# Static files
# ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "bredvid" / "static"]
# Uploaded files (receipts, agreement PDFs) go through Django's storage API: a private directory by
# default (MEDIA_ROOT, outside STATIC_ROOT, never served by whitenoise and with no MEDIA_URL route:
# a view checks permission and streams each file), or an S3-compatible bucket through django-storages
# when S3_BUCKET is set (S3_ENDPOINT_URL for a non-AWS service; the keys from S3_ACCESS_KEY_ID and
# S3_SECRET_ACCESS_KEY or the instance's role). Files are private: no ACL, signed URLs only.
S3_BUCKET = env.str("S3_BUCKET", default="")
_media_storage: dict[str, object] = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("S3_PREFIX", default="bredvid"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": "AES256"}
            if env.bool("S3_SERVER_SIDE_ENCRYPTION", default=True)
            else {},
        },
    }
    if S3_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = ""  # nothing under MEDIA_ROOT has a public address
if not S3_BUCKET and Path(str(MEDIA_ROOT)).resolve().is_relative_to(Path(STATIC_ROOT).resolve()):
    raise ImproperlyConfigured("MEDIA_ROOT must not be inside STATIC_ROOT (uploads are private)")
WHITENOISE_USE_FINDERS = not PRODUCTION

# ---------------------------------------------------------------------------
# E-mail
# ---------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Bredvid <no-reply@bredvid.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ---------------------------------------------------------------------------
# Security headers
# ---------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Browser features the service never uses, switched off for the page and anything it embeds.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
PERMISSIONS_POLICY["fullscreen"] = ["self"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# ---------------------------------------------------------------------------
# Background tasks: django-tasks on the database (the same on SQLite and PostgreSQL); `manage.py
# db_worker` runs them (docs/operations.md). TASKS_BACKEND=immediate runs each task as it is queued.
# ---------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[env.str("TASKS_BACKEND", default="database")],
        "QUEUES": ["default"],
    }
}

# ---------------------------------------------------------------------------
# Bredvid
# ---------------------------------------------------------------------------
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="bredvid-demo-2026")
# Only the audit benchmark turns auditing off, to measure its cost; production refuses it.
AUDIT_DISABLED = env.bool("AUDIT_DISABLED", default=False)
# The audit chain is keyed (HMAC-SHA256, ADR 0008): the key lives in the environment, never in the database.
# Development and tests get a fixed, public key; production refuses to start without a strong one.
_DEV_AUDIT_KEY = "bredvid-development-audit-key-not-secret"
AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY", default="") or ("" if PRODUCTION else _DEV_AUDIT_KEY)
AUDIT_HMAC_KEY_ID = env.str("AUDIT_HMAC_KEY_ID", default="1" if PRODUCTION else "dev")
# Retired keys, still needed to verify the events they signed: "id:key,id:key".
AUDIT_HMAC_OLD_KEYS = env.str("AUDIT_HMAC_OLD_KEYS", default="")
# Where `audit_checkpoint` appends each chain's signed head (outside the database; see docs/operations.md §7).
AUDIT_CHECKPOINT_DIR = Path(env.str("AUDIT_CHECKPOINT_DIR", default=str(VAR_DIR / "audit-checkpoints")))
# Also send every checkpoint line to syslog (facility LOG_AUTHPRIV), for a copy on another machine.
AUDIT_CHECKPOINT_SYSLOG = env.bool("AUDIT_CHECKPOINT_SYSLOG", default=False)
# Rows per page of every API list (bredvid/api/pagination.py): the default, and the most a client may ask.
API_PAGE_SIZE = 50
API_PAGE_SIZE_MAX = 200
# Public forms (bredvid.www.public.protection): submissions per client address and per e-mail address
# (django-ratelimit rates on the default cache: use a shared cache such as Redis in production), and
# the largest body accepted.
PUBLIC_FORM_RATE_PER_IP = env.str("PUBLIC_FORM_RATE_PER_IP", default="10/h")
PUBLIC_FORM_RATE_PER_EMAIL = env.str("PUBLIC_FORM_RATE_PER_EMAIL", default="3/h")
PUBLIC_FORM_MAX_BYTES = 64 * 1024
# The second guardian's link to confirm an e-application (bredvid.casework.eservice): valid this many days.
EAPPLICATION_CONSENT_DAYS = env.int("EAPPLICATION_CONSENT_DAYS", default=14)
# Rows per page on the staff lists (bredvid.www.staff.actions.paginate).
STAFF_PAGE_SIZE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}


def _refuse_insecure_production() -> None:
    problems = []
    if not SECRET_KEY or len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
        problems.append("SECRET_KEY must be set to a random value of at least 50 characters")
    if DEBUG:
        problems.append("DEBUG must be off")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must list the served host names")
    if _db["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL must point to PostgreSQL")
    if AUDIT_DISABLED:
        problems.append("AUDIT_DISABLED is only for benchmarks")
    if len(AUDIT_HMAC_KEY) < 32 or AUDIT_HMAC_KEY == _DEV_AUDIT_KEY:
        problems.append("AUDIT_HMAC_KEY must be set to a random value of at least 32 characters")
    if not AUDIT_HMAC_KEY_ID or ":" in AUDIT_HMAC_KEY_ID or len(AUDIT_HMAC_KEY_ID) > 16:
        problems.append("AUDIT_HMAC_KEY_ID must be 1-16 characters without ':'")
    if not OTP_REQUIRED and not env.bool("ALLOW_LOGIN_WITHOUT_OTP", default=False):
        problems.append("OTP_REQUIRED must be on (or ALLOW_LOGIN_WITHOUT_OTP=true for a demo site)")
    if OTP_REQUIRED and not OTP_ENROLMENT_REQUIRES_LINK:
        problems.append("OTP_ENROLMENT_REQUIRES_LINK must be on (an authenticator is enrolled by link only)")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))


if PRODUCTION:
    _refuse_insecure_production()

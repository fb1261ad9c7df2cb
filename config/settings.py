"""One settings module, driven by environment variables (12-factor).

Every value has an embedded default that runs the whole platform on one machine with no services:
SQLite and a filesystem message broker. Point DATABASE_URL at PostgreSQL and CELERY_BROKER_URL at
Redis or RabbitMQ to run the same code on several machines. With DEBUG off, SECRET_KEY is required.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
# Local state of an embedded install: the SQLite file, broker folders, uploaded media.
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost", "[::1]"]),
)

DEBUG = env("DEBUG")
_INSECURE_DEV_KEY = "django-insecure-dev-only-key-never-use-in-production"
SECRET_KEY = env("SECRET_KEY", default=_INSECURE_DEV_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random string "
        "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
        "or set DEBUG=1 for local development."
    )
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "courses",
    "quizzes",
    "inference",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    # Before anything that reads a form: a view's upload limit applies while the body streams.
    "config.uploads.UploadLimitMiddleware",
    "config.security.RejectNulInFormsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A logged-out htmx request: the page goes to the login and back, not the login page
    # swapped into a fragment (config/htmx_login.py). It reads only headers, so it sits
    # outside the exam's fast path, which it never changes.
    "config.htmx_login.HtmxLoginRedirectMiddleware",
    # The exam's answer save and start of a session that carries its proof, answered before
    # the session, locale, CSRF and authentication middleware, with their headers
    # (quizzes/api_fast.py).
    "quizzes.api_fast.ProvenApiFastPath",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The session's signed proof for the exam's statements (quizzes/session_proofs.py).
    "quizzes.session_proofs.SessionProofMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An ApplicationError a page view lets through: a page with its sentence and status.
    "config.page_errors.ApplicationErrorPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into a 429 page.
    "axes.middleware.AxesMiddleware",
    # After every other middleware: the exam's answer save and start, answered without the URL
    # resolver and DRF when they are the common, well-formed case (quizzes/api_fast.py).
    "quizzes.api_fast.ApiFastPath",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "courses.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file-backed test database, so a Celery worker process started by a test sees its rows.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(VAR_DIR / "test-db.sqlite3")
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        # WAL with synchronous=NORMAL: no corruption on a crash and far fewer disk flushes
        # (a power cut may lose the last commits; the embedded setup is a single machine).
        {"timeout": 20, "transaction_mode": "IMMEDIATE",
         "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
else:
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's PostgreSQL backend whose health check looks at the connection's socket
        # before it sends `SELECT 1` (config/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "config.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
    # Behind PgBouncer in transaction pooling a server-side cursor (`.iterator()`) may meet a
    # different server connection on its next fetch: turn them off there.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "config.redis_cache.RedisCache"  # one client per pool
# Sessions are read on every request. With a cache that all processes share (Redis, Memcached)
# they are read from it and written through to the database (cached_db): no database query per
# request, and a logout or a flushed cache loses nothing. A per-process cache (the embedded
# default) would keep a logged-out session alive in the other workers, so then: the database.
_SHARED_CACHE = not CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache"))
# config.sessions is Django's cached_db that keeps serving from the database while the cache
# (Redis) restarts.
SESSION_ENGINE = env("SESSION_ENGINE", default="config.sessions" if _SHARED_CACHE
                     else "django.contrib.sessions.backends.db")

# --- Auth ---------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while locked out
    # ModelBackend with request.user read from the cache (config/auth_cache.py).
    "config.auth_cache.CachedModelBackend",
]
# How long a cached user row may live when a bulk update bypassed the invalidation (seconds).
AUTH_USER_CACHE_SECONDS = env.int("AUTH_USER_CACHE_SECONDS", default=300)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=8)
# Failed logins from one address over all accounts (config/login_limits.py): higher than the
# per-account limit, so a classroom behind one address is not locked out by a few typos.
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=30)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_HANDLER = env("AXES_HANDLER", default="config.login_limits.AddressLimitedAxesHandler")
LOGIN_URL = "login"
# BENCH-ONLY: the exam-storm benchmark (python -m bench) sets BENCH_FAST_PASSWORDS=1 on the server
# it starts so that 3000 logins do not measure PBKDF2. MD5 password hashes are unsafe: never set
# it anywhere else; it is refused unless BENCH_ENDPOINTS (the benchmark's bare view) is on too.
BENCH_ENDPOINTS = env.bool("BENCH_ENDPOINTS", default=False)
if env.bool("BENCH_FAST_PASSWORDS", default=False):
    if not BENCH_ENDPOINTS:
        raise ImproperlyConfigured("BENCH_FAST_PASSWORDS is for the benchmark server only "
                                   "(it needs BENCH_ENDPOINTS=1).")
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if BENCH_ENDPOINTS:
    # The ceiling's floors, answered where a proven save is answered (config/bench_views.py).
    MIDDLEWARE.insert(MIDDLEWARE.index("quizzes.api_fast.ProvenApiFastPath"),
                      "config.bench_views.FloorsWhereTheSaveIsAnswered")
LOGIN_REDIRECT_URL = "courses:list"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language the course packs are written in: pages in another UI language mark that content
# with lang="..." so screen readers and hyphenation use the right language.
COURSE_CONTENT_LANGUAGE = env("COURSE_CONTENT_LANGUAGE", default="ko")
TIME_ZONE = env("TIME_ZONE", default="Asia/Seoul")
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- REST API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's three, with JSON nesting bounded (config/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GenAI Classroom API",
    "DESCRIPTION": "Courses, quizzes, attempts and model demos.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name for the grade states shared by the quiz and gradebook responses.
    "ENUM_NAME_OVERRIDES": {"GradeStatusEnum": "quizzes.api.GRADE_STATES"},
    # <id:…> URL parameters (config.converters.IdConverter): integers a database can hold.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 0, "maximum": 999_999_999_999_999_999}},
}

# --- Celery -------------------------------------------------------------------------------------
# Default: kombu's filesystem transport, so `make run` needs no broker server.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
_BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
        # kombu polls the folder; its default of 1 s would add up to a second to every demo.
        "polling_interval": 0.02,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
# The same transport with atomic publishing (config/broker_fs.py).
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT = "config.broker_fs:Transport"
CELERY_RESULT_BACKEND = env(
    "CELERY_RESULT_BACKEND",
    default=(
        f"file://{VAR_DIR / 'celery-results'}"
        if CELERY_BROKER_URL.startswith("filesystem")
        else CELERY_BROKER_URL
        if CELERY_BROKER_URL.startswith("redis")
        else "rpc://"
    ),
)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# --- Models and demos ---------------------------------------------------------------------------
INFERENCE_DEVICE = env("INFERENCE_DEVICE", default="auto")
# Load the models when a worker starts, so the first demo does not wait for them.
INFERENCE_PRELOAD = env.bool("INFERENCE_PRELOAD", default=True)
# torch intra-op threads per worker process; 0 = torch's default (one per core). Set it on a
# machine whose cores the web server shares (see inference.worker.runners._configure_torch_threads).
INFERENCE_TORCH_THREADS = env.int("INFERENCE_TORCH_THREADS", default=0)
CAPTIONER_HF_DIR = env("CAPTIONER_HF_DIR", default="")
QUESTION_IMPORT_MAX_BYTES = env.int("QUESTION_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)

# --- Production hardening (active when DEBUG is off) --------------------------------------------
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The load balancer probes the nodes over plain HTTP on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^health/"]
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# --- Demo limits --------------------------------------------------------------------------------
DEMO_MAX_UPLOAD_BYTES = env.int("DEMO_MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)
DEMO_MAX_PIXELS = env.int("DEMO_MAX_PIXELS", default=4096 * 4096)
DEMO_MAX_IN_FLIGHT_PER_USER = env.int("DEMO_MAX_IN_FLIGHT_PER_USER", default=4)
DEMO_RATE_PER_MINUTE = env.int("DEMO_RATE_PER_MINUTE", default=30)
DEMO_QUEUE_CAP = env.int("DEMO_QUEUE_CAP", default=300)
DEMO_JOB_EXPIRES_SECONDS = env.int("DEMO_JOB_EXPIRES_SECONDS", default=300)
DEMO_JOB_TIME_LIMIT_SECONDS = env.int("DEMO_JOB_TIME_LIMIT_SECONDS", default=60)
DEMO_MAX_BATCH = env.int("DEMO_MAX_BATCH", default=64)  # jobs in one forward pass
# …and images in one forward pass: on this CPU 16–32 64×64 faces cost the least per image
# (64: +15 %, 256: more; docs/performance.md). Raise it on a GPU.
DEMO_MAX_BATCH_IMAGES = env.int("DEMO_MAX_BATCH_IMAGES", default=32)
# Forward passes one worker process runs at once (inference.worker.MODEL_LOCK).
DEMO_FORWARD_PASSES = env.int("DEMO_FORWARD_PASSES", default=1)
# With a Redis broker, a job sends its gpu-queue message only when no message
# of its kind is already on its way: one message per batch instead of one per job
# (inference/wakeups.py; docs/performance.md measures it).
DEMO_COALESCE_MESSAGES = env.bool("DEMO_COALESCE_MESSAGES", default=True)
# The longest an API client may ask a request to wait for its result (`Prefer: wait=N`). Each
# waiting request holds a web thread: size the web server's threads for it (docs/deployment.md).
DEMO_MAX_WAIT_SECONDS = env.int("DEMO_MAX_WAIT_SECONDS", default=10)
# The demo pages' status requests wait this long for a result (long polling): the queue position
# and the progress bar refresh at least this often.
DEMO_PAGE_WAIT_SECONDS = env.float("DEMO_PAGE_WAIT_SECONDS", default=2.0)
# Waiting requests one user may hold at once; more answer at once instead of waiting.
DEMO_MAX_WAITS_PER_USER = env.int("DEMO_MAX_WAITS_PER_USER", default=4)
# A running job whose worker has not written a heartbeat for this long is taken to be lost.
DEMO_HEARTBEAT_STALE_SECONDS = env.int("DEMO_HEARTBEAT_STALE_SECONDS",
                                       default=DEMO_JOB_TIME_LIMIT_SECONDS)
DATA_UPLOAD_MAX_MEMORY_SIZE = DEMO_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# Offline sample photographs (scikit-image) a student can send to the fake detector.
DEMO_SAMPLE_PHOTOS = ["astronaut", "chelsea", "coffee", "camera", "rocket", "cat"]
# Spot-the-fake pools: how many generated and real images the gpu worker keeps ready.
SPOT_POOL_TARGET = env.int("SPOT_POOL_TARGET", default=48)

# --- Retraining the fake detector (instructors, /demos/training/) -------------------------------
# The uploaded ZIP of real photos: its size, what it unpacks to, how many photos (each photo also
# passes DEMO_MAX_UPLOAD_BYTES and DEMO_MAX_PIXELS).
DETECTOR_TRAINING_MAX_ZIP_BYTES = env.int("DETECTOR_TRAINING_MAX_ZIP_BYTES", default=200_000_000)
DETECTOR_TRAINING_MAX_UNZIPPED_BYTES = env.int("DETECTOR_TRAINING_MAX_UNZIPPED_BYTES",
                                               default=1_000_000_000)
DETECTOR_TRAINING_MIN_PHOTOS = env.int("DETECTOR_TRAINING_MIN_PHOTOS", default=20)
DETECTOR_TRAINING_MAX_PHOTOS = env.int("DETECTOR_TRAINING_MAX_PHOTOS", default=2000)
DETECTOR_TRAINING_MIN_PHOTO_SIDE = env.int("DETECTOR_TRAINING_MIN_PHOTO_SIDE", default=32)
DETECTOR_TRAINING_MAX_EPOCHS = env.int("DETECTOR_TRAINING_MAX_EPOCHS", default=20)
# Generated fakes and built-in real images per run (the shipped model used 4000 and 4000).
DETECTOR_TRAINING_N_FAKE = env.int("DETECTOR_TRAINING_N_FAKE", default=4000)
DETECTOR_TRAINING_N_REAL = env.int("DETECTOR_TRAINING_N_REAL", default=4000)
# Enforced inside the task (checked at every progress report), not by killing the worker.
DETECTOR_TRAINING_TIME_LIMIT_SECONDS = env.int("DETECTOR_TRAINING_TIME_LIMIT_SECONDS",
                                               default=2 * 3600)
# A running training whose heartbeat is older than this lost its worker: it is failed.
DETECTOR_TRAINING_STALE_SECONDS = env.int("DETECTOR_TRAINING_STALE_SECONDS", default=600)
# Ended training runs keep their photo ZIP and (unless active) their checkpoint this many days;
# then beat's daily clean-up deletes the files and keeps the metrics (clean_detector_trainings).
DETECTOR_TRAINING_KEEP_DAYS = env.int("DETECTOR_TRAINING_KEEP_DAYS", default=30)
# Progress (and heartbeat) writes: at most one per this many seconds.
DETECTOR_TRAINING_PROGRESS_INTERVAL = env.float("DETECTOR_TRAINING_PROGRESS_INTERVAL", default=1.0)

"""Safe defaults only; secrets come from instance/config.py or PORTAL_* variables."""

from datetime import timedelta


class DefaultConfig:
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set True in production (served over HTTPS)
    SESSION_COOKIE_NAME = "portal_session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    PREFERRED_URL_SCHEME = "http"

    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead of a clock

    # Languages
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Brussels"
    LANGUAGES = ("nl", "en")

    # Accounts
    PASSWORD_MIN_LENGTH = 12
    # Werkzeug's scrypt (n=2**15, r=8, p=1). Only the test configuration sets a cheap method;
    # check_password reads the method from each stored hash, so both kinds keep working.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (a method name, not a password)
    EMAIL_TOKEN_MAX_AGE = 60 * 60 * 48  # seconds a verification link stays valid
    RESET_TOKEN_MAX_AGE = 60 * 60  # seconds a password-reset link stays valid
    # seconds the link to choose a password stays valid in the welcome email of an account
    # an administrator made (its owner may not read it the same hour)
    WELCOME_TOKEN_MAX_AGE = 7 * 24 * 60 * 60
    API_TOKEN_DAYS = 90  # an API token stops working this many days after it was created
    # Throttling (app.core.throttle): after the limit each attempt waits LOGIN_THROTTLE_DELAY
    # seconds, doubling, at most the window; a window without attempts forgets them.
    LOGIN_THROTTLE_WINDOW = 15 * 60  # seconds
    LOGIN_THROTTLE_DELAY = 30  # seconds, the first wait
    LOGIN_THROTTLE_MAX_PER_ACCOUNT = 5  # failures per account on one client address
    LOGIN_THROTTLE_MAX_PER_ADDRESS = 20  # failures per client address, whatever the account
    RESET_THROTTLE_MAX_PER_ACCOUNT = 3  # reset requests per email on one client address
    RESET_THROTTLE_MAX_PER_ADDRESS = 10  # reset requests per client address
    TOKEN_THROTTLE_MAX = 10  # API tokens created on the profile per account
    REGISTRATION_THROTTLE_WINDOW = 60 * 60  # seconds
    REGISTRATION_THROTTLE_MAX_PER_EMAIL = 3  # registration forms per email address
    REGISTRATION_THROTTLE_MAX_PER_ADDRESS = 10  # registration forms per client address

    # Email (outbox)
    MAIL_BACKEND = "console"  # "smtp" in production
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "ESF e-leren <no-reply@esf-eleren.invalid>"
    MAIL_MAX_ATTEMPTS = 8
    MAIL_RETRY_BASE_SECONDS = 60  # doubled after every failed attempt

    # Public base address used in emails (links)
    SERVER_BASE_URL = "http://127.0.0.1:5000"

    # API / OpenAPI (flask-smorest)
    API_TITLE = "ESF e-leren portal API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    # Security headers
    # Trusted proxy hops in front of the app (werkzeug ProxyFix). 0 = no proxy: forwarded
    # headers are ignored. Behind one nginx set PORTAL_PROXY_FIX_X_FOR=1 and
    # PORTAL_PROXY_FIX_X_PROTO=1 so the client's address (login throttling, audit) and https
    # (secure cookies, HSTS) come from the proxy's headers.
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0
    PROXY_FIX_X_PORT = 0
    PROXY_FIX_X_PREFIX = 0
    HSTS_MAX_AGE = 63072000  # two years, sent only over HTTPS
    REDIS_URL: str | None = None
    # Documents made by background jobs (large PDFs); default: instance/documents
    DOCUMENTS_DIR: str | None = None

    # Proposals
    UPLOAD_FOLDER: str | None = None  # default: instance/uploads (outside the static folder)
    PROPOSAL_MAX_ATTACHMENTS = 10
    PROPOSAL_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
    # All distinct files of one organisation's proposals (working copies and versions).
    ORGANISATION_STORAGE_BYTES = 200 * 1024 * 1024
    # `flask files clean` leaves temporary and unreferenced files younger than this alone.
    UPLOAD_CLEAN_GRACE_SECONDS = 30 * 60
    # A request body may carry one attachment plus the form around it.
    MAX_CONTENT_LENGTH = 11 * 1024 * 1024
    # Monitoring: an enrolment file upload (its route alone allows a request this large)
    MONITORING_MAX_UPLOAD_BYTES = 30 * 1024 * 1024
    # Count a submission from the front proxy's X-Request-Start stamp (see
    # app.core.time.RecordArrival): trusted from these addresses only, the ones the proxy
    # connects from. The documented set-up (nginx on the same machine in front of gunicorn
    # bound to 127.0.0.1, README "Production") needs nothing more; a proxy elsewhere: its
    # address(es), separated by spaces. "" trusts no stamp.
    REQUEST_START_TRUSTED_PROXIES = "127.0.0.1 ::1"
    # Trust the stamp from any address: only when nothing but the proxy can reach the app.
    TRUST_X_REQUEST_START = False

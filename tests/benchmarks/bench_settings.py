"""Settings for the page benchmark only: the real settings, plus a bare baseline list.

Never used by the app or the tests. The baseline view lives in ``tests.benchmarks.bench_urls``,
which includes the real URL conf unchanged; rate limits are lifted so that the load tool
measures the pages rather than the throttles.
"""

from solidarity.settings import *  # noqa: F403
from solidarity.settings import BASE_DIR, REST_FRAMEWORK, TEMPLATES

ROOT_URLCONF = "tests.benchmarks.bench_urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "tests" / "benchmarks" / "templates"]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    key: "100000000/minute" for key in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
}
HARM_REPORT_RATE = HARM_STATUS_RATE = "100000000/minute"

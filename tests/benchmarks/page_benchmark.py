"""Page benchmark: every list page and API list under load, against a bare Django list.

    make bench-pages                      # 10,000 and 100,000 applications
    .venv/bin/python -m tests.benchmarks.page_benchmark --quick
    .venv/bin/python -m tests.benchmarks.page_benchmark --sizes 10000 --duration 5
    .venv/bin/python -m tests.benchmarks.page_benchmark --audit-events 1000000 --sizes

For each size N it creates a throwaway PostgreSQL database ``sol_perf_bench_<N>`` next to the
one ``DATABASE_URL`` names (default ``postgres://postgres@127.0.0.1:5432/postgres``), migrates
it, bulk-seeds N applications over every state (``tests/benchmarks/seed.py``), serves the app
with gunicorn (2 sync workers, production settings, 127.0.0.1 only) and loads each page with
``wrk -t2 -c8``, each run preceded by a run of the bare 50-row list
(``tests/benchmarks/bench_urls.py``, never in the real URL conf). The Django admin changelist
of the same table is measured too. One instrumented request per page (Django test client, same
database) gives the queries per request and the HTML size. Prints req/s, p50, p99, queries,
size and the ratio to the bare list; with two sizes, p50 at the larger ÷ p50 at the smaller.
A measurement, not a test. Needs ``wrk`` (Debian package) and ``gunicorn``.
"""

import argparse
import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SETTINGS = "tests.benchmarks.bench_settings"

# (label, path, who, connections): who is a role key of the seeded actors, or "anon".
PAGES = [
    ("harm officers' queue", "/harms/queue/", "harm_officer", 8),
    ("fund ledger", "/benefits/fund/", "benefit_officer", 8),
    ("committee queue", "/reviews/committee/", "chair", 8),
    ("secretariat queue", "/applications/queue/", "secretariat", 8),
    ("public register", "/register/", "anon", 8),
    ("public register, 16 connections", "/register/", "anon", 16),
    ("API applications", "/api/v1/applications/", "secretariat", 8),
    ("API dataset requests", "/api/v1/dataset-requests/", "secretariat", 8),
    ("API benefit agreements", "/api/v1/benefit-agreements/", "benefit_officer", 8),
    ("API register", "/api/v1/register/", "anon", 8),
    ("register entry", "/register/{entry}/", "anon", 8),
    ("agreements and obligations", "/benefits/", "benefit_officer", 8),
    ("custodian requests", "/applications/requests/", "custodian", 8),
    ("my applications", "/applications/", "researcher", 8),
    ("conditions", "/reviews/conditions/", "secretariat", 8),
    ("audit console", "/audit/", "auditor", 8),
    ("my assignments", "/reviews/", "reviewer", 8),
    ("receipt-code status, 16 connections", "/harms/status/", "receipt", 16),
    ("API obligations", "/api/v1/obligations/", "benefit_officer", 8),
    ("API fund transactions", "/api/v1/fund/transactions/", "benefit_officer", 8),
    ("API harm reports", "/api/v1/harm-reports/", "harm_officer", 8),
    ("API assessments", "/api/v1/assessments/", "chair", 8),
    ("API audit events", "/api/v1/audit-events/", "auditor", 8),
    # The fixed cost of a signed-in page: session, user, roles, badge and the layout, no list.
    ("signed-in page without a list", "/accounts/security/", "secretariat", 8),
]
# A path's "{entry}" is the newest entry on the public register (``_entry``), read once seeded.
BARE = ("bare 50-row list", "/bench/bare/", "anon", 8)
ADMIN = ("admin changelist", "/admin/applications/application/", "admin", 8)


def _db_url(name: str) -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _env(db_name: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        DATABASE_URL=_db_url(db_name),
        SOLIDARITY_PRODUCTION="true",
        DEBUG="false",
        # Fixed per throwaway database, so that a kept one (--reuse) keeps its sessions valid.
        SECRET_KEY="bench-" + hashlib.sha256(db_name.encode()).hexdigest(),
        # Production demands the harm keys; fixed per database too (a Fernet key is 32 bytes).
        HARM_CONTACT_KEY=base64.urlsafe_b64encode(
            hashlib.sha256(b"contact-" + db_name.encode()).digest()
        ).decode(),
        HARM_RECEIPT_KEY="receipt-" + hashlib.sha256(db_name.encode()).hexdigest(),
        ALLOWED_HOSTS="127.0.0.1,testserver",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        CACHE_URL=env.get("BENCH_CACHE_URL", "locmemcache://bench"),
        LOG_LEVEL="ERROR",
    )
    env.pop("CELERY_BROKER_URL", None)  # no task runs on a GET; tasks would run eagerly
    return env


def _admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(_db_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def _db_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(_db_url("postgres"), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()


# ---- the child processes: seed, probe ---------------------------------------------------------


def _child_setup():
    import django

    django.setup()


def child_seed(size: int, audit_events: int, out: str) -> None:
    _child_setup()

    from tests.benchmarks import seed

    started = time.perf_counter()
    if size:
        seed.seed(size)
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    if audit_events:
        seed.add_audit_events(audit_events)
    audit_seeded = time.perf_counter() - started
    cookies = _sessions() if size else {}
    Path(out).write_text(
        json.dumps(
            {
                "cookies": cookies,
                "entry": _entry(),
                "seconds": seeded,
                "audit_seconds": audit_seeded,
            }
        )
    )


def _entry() -> str:
    """The reference of the newest entry on the public register (a page the benchmark loads)."""
    from applications.models import Application
    from applications.rules import public_q

    newest = Application.objects.filter(public_q(), reference__isnull=False).order_by(
        "-decided_at", "-id"
    )
    return newest.values_list("reference", flat=True).first() or "DSA-0000-000000"


def _path(path: str, seeded: dict) -> str:
    return path.replace("{entry}", seeded.get("entry") or "DSA-0000-000000")


def _sessions() -> dict:
    """A signed-in session per seeded role (and a receipt-code session), by cookie value."""
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from harms.models import HarmReport
    from solidarity.accounts import mfa
    from solidarity.accounts.models import User

    names = {
        "secretariat": "bench_secretariat0",
        "chair": "bench_chair0",
        "harm_officer": "bench_harm_officer0",
        "benefit_officer": "bench_benefit_officer0",
        "auditor": "bench_auditor0",
        "researcher": "bench_researcher0",
        "reviewer": "bench_reviewer0",
        "custodian": "bench_custodian0",
        "admin": "bench_admin",
    }
    cookies = {}
    for role, username in names.items():
        user = User.objects.get(username=username)
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        store["_auth_user_hash"] = user.get_session_auth_hash()
        # As after a real sign-in with the second factor (staff roles must have one).
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store[mfa.SESSION_STAFF] = mfa.mfa_required(user)
        store[mfa.SESSION_REQUIRED] = True
        store[mfa.SESSION_LAST_SEEN] = int(time.time())
        store.create()
        cookies[role] = store.session_key
    store = SessionStore()
    store["harms_receipt_report"] = HarmReport.objects.order_by("id").values_list("id", flat=True)[
        0
    ]
    store.create()
    cookies["receipt"] = store.session_key
    return cookies


def child_sessions(seed_file: str) -> None:
    _child_setup()
    data = json.loads(Path(seed_file).read_text())
    data["cookies"] = _sessions()
    data["entry"] = _entry()
    Path(seed_file).write_text(json.dumps(data))


def child_probe(cookies_file: str, out: str) -> None:
    """One instrumented request per page: status, queries, HTML size (test client)."""
    _child_setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    seeded = json.loads(Path(cookies_file).read_text())
    cookies = seeded["cookies"]
    results = {}
    for label, path, who, _c in [BARE, ADMIN, *PAGES]:
        path = _path(path, seeded)
        client = Client(HTTP_HOST="127.0.0.1")
        if who in cookies:
            client.cookies["sessionid"] = cookies[who]
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        elapsed = time.perf_counter() - started
        slowest = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:1]
        results[label] = {
            "status": response.status_code,
            "queries": len(ctx.captured_queries),
            "bytes": len(response.content),
            "single_ms": elapsed * 1000,
            "slowest_query": (
                f"{float(slowest[0]['time']) * 1000:.0f} ms: {slowest[0]['sql'][:300]}"
                if slowest
                else ""
            ),
        }
    Path(out).write_text(json.dumps(results))


def child_cpu(cookies_file: str, out: str, repeat: int, only: list[str]) -> None:
    """CPU time per request of every page in one process (Django test client, production
    settings, same database and sessions): the in-process part only, steadier than req/s on a
    busy machine. Best of three rounds of ``repeat`` requests after two warm-up requests."""
    _child_setup()
    from django.test import Client

    seeded = json.loads(Path(cookies_file).read_text())
    cookies = seeded["cookies"]
    results = {}
    for label, path, who, _c in [BARE, ADMIN, *PAGES]:
        path = _path(path, seeded)
        if only and label != BARE[0] and not any(o in path or o in label for o in only):
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        if who in cookies:
            client.cookies["sessionid"] = cookies[who]
        status = client.get(path).status_code
        client.get(path)
        best_cpu = best_wall = float("inf")
        for _round in range(3):
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(repeat):
                client.get(path)
            best_cpu = min(best_cpu, (time.process_time() - cpu) / repeat * 1000)
            best_wall = min(best_wall, (time.perf_counter() - wall) / repeat * 1000)
        results[label] = {"status": status, "cpu_ms": best_cpu, "wall_ms": best_wall}
    Path(out).write_text(json.dumps(results))


def bench_cpu(size: int, args) -> dict:
    """``--cpu N``: CPU per request of every page on a kept database (``--keep`` first)."""
    db_name = _bench_db(size, args)
    env = _env(db_name)
    tmp = ROOT / ".bench"
    seed_out = tmp / f"seed_{size}.json"
    if not (seed_out.exists() and _db_exists(db_name)):
        print(f"--cpu needs a kept database: run with --sizes {size} --keep first", file=sys.stderr)
        return {}
    _run(["manage.py", "migrate", "--noinput", "-v0"], env)
    _run(["manage.py", "collectstatic", "--noinput", "-v0"], env)
    _run(["-m", "tests.benchmarks.page_benchmark", "_sessions", str(seed_out)], env)
    out = tmp / f"cpu_{size}.json"
    _run(
        [
            "-m",
            "tests.benchmarks.page_benchmark",
            "_cpu",
            str(seed_out),
            str(out),
            str(args.cpu),
            *(args.only or []),
        ],
        env,
    )
    results = json.loads(out.read_text())
    bare = results[BARE[0]]["cpu_ms"]
    print(f"\n== CPU per request, {size:,} applications (best of 3 x {args.cpu})")
    for label, row in results.items():
        print(
            f"{label:40s} {row['cpu_ms']:7.1f} ms CPU  {row['wall_ms']:7.1f} ms wall  "
            f"x bare {bare / row['cpu_ms'] if row['cpu_ms'] else 0:5.2f}  status {row['status']}",
            flush=True,
        )
    return results


def child_verify(out: str) -> None:
    """Time ``manage.py verify_audit`` in this process and record its peak memory."""
    import resource

    _child_setup()
    from django.core.management import call_command

    from solidarity.audit.models import AuditEvent

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu_before = time.process_time()
    started = time.perf_counter()
    call_command("verify_audit")
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    Path(out).write_text(
        json.dumps(
            {
                "events": AuditEvent.objects.count(),
                "seconds": seconds,
                "cpu_seconds": cpu,
                "peak_rss_mb": after / 1024,
                "rss_growth_mb": (after - before) / 1024,
            }
        )
    )


# ---- the orchestrator ------------------------------------------------------------------------

_LAT = re.compile(r"^\s*(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(base: str, path: str, cookie: str | None, *, connections: int, seconds: int) -> dict:
    cmd = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "30s",
        "-H",
        "Accept-Language: en",
    ]
    if cookie:
        cmd += ["-H", f"Cookie: sessionid={cookie}"]
    out = subprocess.run([*cmd, base + path], capture_output=True, text=True, check=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    lat = {m.group(1): _ms(m.group(2), m.group(3)) for m in _LAT.finditer(out)}
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    requests = re.search(r"(\d+) requests in", out)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50": lat.get("50"),
        "p99": lat.get("99"),
        "requests": int(requests.group(1)) if requests else 0,
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def _drain(base: str) -> None:
    """Wait until both workers answer at once (the backlog of a previous run is gone)."""
    for _ in range(60):
        started = time.perf_counter()
        with contextlib.suppress(OSError):
            urllib.request.urlopen(base + BARE[1], timeout=120).read()
            urllib.request.urlopen(base + BARE[1], timeout=120).read()
        if time.perf_counter() - started < 1.0:
            return


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args_list: list[str], env: dict) -> None:
    subprocess.run([PYTHON, *args_list], cwd=ROOT, env=env, check=True)


def _bench_db(size: int, args) -> str:
    return args.database or f"sol_perf_bench_{size}"


def bench_size(size: int, args) -> dict:
    db_name = _bench_db(size, args)
    env = _env(db_name)
    tmp = ROOT / ".bench"
    tmp.mkdir(exist_ok=True)
    print(f"\n== {size:,} applications: database {db_name}", flush=True)
    seed_out = tmp / f"seed_{size}.json"
    reuse = args.reuse and seed_out.exists() and _db_exists(db_name)
    if not reuse:
        _admin_sql(f'DROP DATABASE IF EXISTS "{db_name}"')
        _admin_sql(f'CREATE DATABASE "{db_name}"')
    try:
        started = time.perf_counter()
        _run(["manage.py", "migrate", "--noinput", "-v0"], env)
        migrated = time.perf_counter() - started
        # Production settings serve hashed static names from the manifest: build it first.
        _run(["manage.py", "collectstatic", "--noinput", "-v0"], env)
        if not reuse:
            _run(
                ["-m", "tests.benchmarks.page_benchmark", "_seed", str(size), "0", str(seed_out)],
                env,
            )
        else:
            _run(["-m", "tests.benchmarks.page_benchmark", "_sessions", str(seed_out)], env)
        seeded = json.loads(seed_out.read_text())
        print(f"migrated in {migrated:.0f} s, seeded in {seeded['seconds']:.0f} s", flush=True)
        probe_out = tmp / f"probe_{size}.json"
        _run(
            ["-m", "tests.benchmarks.page_benchmark", "_probe", str(seed_out), str(probe_out)], env
        )
        probe = json.loads(probe_out.read_text())
        cookies = seeded["cookies"]

        server_log = (tmp / f"gunicorn_{size}.log").open("w")
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "solidarity.wsgi",
                "--workers",
                "2",
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
                "--log-level",
                "warning",
                # No worker recycling in the middle of a run (gunicorn.conf.py recycles every
                # ~1,000 requests in production): a restart would land on a random run.
                "--max-requests",
                "0",
            ],
            cwd=ROOT,
            env=env,
            # The access log (JSON lines, one per request) goes to a file, not the report.
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + BARE[1], timeout=5).read()
                    break
                except OSError:
                    time.sleep(0.2)
            results = {}
            bare_runs = []
            pages = [ADMIN, *PAGES]
            if args.only is not None:
                pages = [p for p in pages if any(o in p[1] or o in p[0] for o in args.only)]
                for label, *_ in [ADMIN, *PAGES]:
                    one = probe[label]
                    print(
                        f"{label:40s} single request {one['single_ms']:7.1f} ms "
                        f"{one['queries']:3d} q {one['bytes'] / 1024:6.1f} KB status "
                        f"{one['status']}; slowest query {one['slowest_query'][:160]}",
                        flush=True,
                    )
            for label, path, who, conns in pages:
                path = _path(path, seeded)
                if probe.get(label, {}).get("status") not in (200,):
                    results[label] = {"skipped": f"status {probe.get(label, {}).get('status')}"}
                    print(f"{label:40s} skipped: {results[label]['skipped']}", flush=True)
                    continue
                # Warm both, then bare and page back to back: the ratio compares like with like.
                # Each run starts on an idle server: requests a slow run left queued in the
                # workers are drained first, or they would count against the next run.
                wrk(base, path, cookies.get(who), connections=conns, seconds=1)
                _drain(base)
                bare = wrk(base, BARE[1], None, connections=8, seconds=args.duration)
                bare_runs.append(bare)
                _drain(base)
                run = wrk(base, path, cookies.get(who), connections=conns, seconds=args.duration)
                run["bare_rps"] = bare["rps"]
                run["ratio"] = run["rps"] / bare["rps"] if bare["rps"] else 0.0
                run.update({k: probe[label][k] for k in ("queries", "bytes", "single_ms")})
                run["slowest_query"] = probe[label]["slowest_query"]
                run["path"] = path
                run["connections"] = conns
                results[label] = run
                print(_line(label, run), flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
            server_log.close()
        results["_bare"] = {
            "rps": sum(b["rps"] for b in bare_runs) / max(1, len(bare_runs)),
            "p50": sum(b["p50"] or 0 for b in bare_runs) / max(1, len(bare_runs)),
            "queries": probe[BARE[0]]["queries"],
            "bytes": probe[BARE[0]]["bytes"],
        }
        print(
            f"{'(bare list, mean of its runs)':40s} {results['_bare']['rps']:8.1f} req/s "
            f"p50 {results['_bare']['p50']:7.1f} ms  {results['_bare']['queries']:3d} q",
            flush=True,
        )
        return results
    finally:
        if not (args.keep or args.reuse):
            _admin_sql(f'DROP DATABASE IF EXISTS "{db_name}"')


def _line(label: str, run: dict) -> str:
    errors = f" ERRORS {run['errors']}" if run["errors"] else ""
    if run["socket_errors"]:
        errors += f" socket errors: {run['socket_errors']}"
    return (
        f"{label:40s} {run['rps']:8.1f} req/s  p50 {run['p50'] or 0:7.1f} ms  "
        f"p99 {run['p99'] or 0:7.1f} ms  {run['queries']:3d} q  {run['bytes'] / 1024:6.1f} KB  "
        f"single {run['single_ms']:6.0f} ms  "
        f"x bare {run['ratio']:.2f}{errors}"
    )


def bench_audit(count: int, args) -> dict:
    db_name = f"sol_perf_bench_audit_{count}"
    env = _env(db_name)
    tmp = ROOT / ".bench"
    tmp.mkdir(exist_ok=True)
    print(f"\n== verify_audit over {count:,} events: database {db_name}", flush=True)
    _admin_sql(f'DROP DATABASE IF EXISTS "{db_name}"')
    _admin_sql(f'CREATE DATABASE "{db_name}"')
    try:
        _run(["manage.py", "migrate", "--noinput", "-v0"], env)
        seed_out = tmp / "seed_audit.json"
        _run(
            ["-m", "tests.benchmarks.page_benchmark", "_seed", "0", str(count), str(seed_out)], env
        )
        out = tmp / "verify.json"
        _run(["-m", "tests.benchmarks.page_benchmark", "_verify", str(out)], env)
        result = json.loads(out.read_text())
        print(
            f"verify_audit: {result['events']:,} events in {result['seconds']:.1f} s "
            f"({result['cpu_seconds']:.1f} s of CPU in the command's process), "
            f"peak RSS {result['peak_rss_mb']:.0f} MB (grew {result['rss_growth_mb']:.0f} MB)",
            flush=True,
        )
        return result
    finally:
        if not args.keep:
            _admin_sql(f'DROP DATABASE IF EXISTS "{db_name}"')


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        command, *rest = sys.argv[1:]
        if command == "_seed":
            child_seed(int(rest[0]), int(rest[1]), rest[2])
        elif command == "_sessions":
            child_sessions(rest[0])
        elif command == "_probe":
            child_probe(rest[0], rest[1])
        elif command == "_cpu":
            child_cpu(rest[0], rest[1], int(rest[2]), rest[3:])
        elif command == "_verify":
            child_verify(rest[0])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--duration", type=int, default=4, help="seconds of load per run")
    parser.add_argument("--quick", action="store_true", help="1,000 applications, 2 s runs")
    parser.add_argument("--audit-events", type=int, default=0, help="time verify_audit too")
    parser.add_argument("--only", nargs="*", help="only pages whose path or label has this")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a kept database (migrated, not re-seeded)"
    )
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument(
        "--database", help="the benchmark database's name (default sol_perf_bench_<size>)"
    )
    parser.add_argument(
        "--cpu",
        type=int,
        default=0,
        metavar="N",
        help="only CPU per request in one process (N requests a round) on a kept database",
    )
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.duration = [1000], 2
    if args.cpu:
        results = {size: bench_cpu(size, args) for size in args.sizes}
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1, default=str))
        return 0
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    results = {}
    for size in args.sizes:
        results[size] = bench_size(size, args)
    if args.audit_events:
        results["verify_audit"] = bench_audit(args.audit_events, args)
    sizes = sorted(s for s in results if isinstance(s, int))
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        print(f"\n== p50 at {large:,} ÷ p50 at {small:,} (goal ≤ 1.2)")
        for label, run in results[large].items():
            before = results[small].get(label, {})
            if label.startswith("_") or not run.get("p50") or not before.get("p50"):
                continue
            print(f"{label:40s} {run['p50'] / before['p50']:5.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

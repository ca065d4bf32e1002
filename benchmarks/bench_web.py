"""Benchmark: server time of every list and detail page, and 50 concurrent users (issue 12,
"Speed").

Run: ``.venv/bin/python benchmarks/bench_web.py [--quick] [--missing-persons N]
[--users N] [--duration S] [--think S]``

A SYNTHETIC database in a fresh SQLite file: the Izium-scale demonstration (``load_demo``,
447 bodies by default, identified and stored) plus ``--missing-persons`` SYNTHETIC missing
persons in all (bulk-added with one donor each, Cyrillic SYNTHETIC names, through the audited
repositories), and one account per role. The real server (``homecoming serve``) runs in its
own process on loopback; the benchmark signs in over HTTP like a browser.

1. **Pages.** Every GET route of the application (from ``ROUTE_PERMISSIONS``, so pages added
   later are measured too) with its path parameters filled in from the database: each record
   kind's list (first page, last page, a Cyrillic search), detail page and audit trail, the
   dashboard, map, identifications, review queue, statistics... Each page is fetched
   ``--repeat`` times as the admin; printed: the median and maximum **server time** (the
   ``Server-Timing: app;dur=`` header the application adds) and the ratio of the median to
   the issue's 200 ms target.
2. **Load.** ``--users`` simulated users (default 50, each its own session, roles in turn,
   each opening the pages its role may open, in random order, waiting ``--think`` seconds
   ±50 % between pages; ``--think 0`` is a stress test) for ``--duration`` seconds (60; 15
   with ``--quick``). Printed: requests, errors (a status other than 200, or no answer),
   throughput, and p50/p95/p99 of the client-side latency and of the server time, with the
   ratios of p95 to the 200 ms target.

The issue's target size is ``--missing-persons 100000`` (the default without ``--quick``);
``--quick`` uses 10,000 and a 15 s load phase. The header prints the load average: on a
machine shared with other jobs the times are inflated. Not a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from homecoming.casework import Donor, MissingPerson, Relationship, Sex
from homecoming.services import accounts, web_auth
from homecoming.services.case_identification import identify_stored_case
from homecoming.services.demo import load_demo
from homecoming.storage import Database
from homecoming.storage.repositories import Repositories

TARGET_MS = 200.0
SYNTHETIC = "SYNTHETIC (benchmark)"
ROLES = ("field", "pathologist", "lab", "analyst", "board", "liaison", "investigator",
         "monitor", "admin")
#: SYNTHETIC name parts (Ukrainian-looking; no real person is meant)
_STEMS = ("Коваль", "Шевч", "Бондар", "Ткач", "Кравч", "Олійн", "Гончар", "Мельн", "Ґудз",
          "Єрм", "Іван", "Їжак", "Лисен", "Марч", "Сав", "Дяч", "Паламарч", "Руд", "Тарас",
          "Юрч")
_ENDINGS = ("енко", "ук", "ко", "ишин", "ак", "ів", "ець", "ишко", "ьов", "ан")
_GIVEN = ("Олена", "Іван", "Марія", "Петро", "Оксана", "Андрій", "Ірина", "Юрій", "Ганна",
          "Євген")
_PATRONYMIC = ("Іванович", "Петрівна", "Андрійович", "Юріївна", "Олегович", "Миколаївна")


def add_missing_persons(db: Database, n: int, seed: int, *, chunk: int = 5000) -> None:
    """``n`` SYNTHETIC missing persons with one (untyped) donor each, in chunks."""
    rng = random.Random(seed)
    day = dt.date(2022, 9, 1)
    sexes = (Sex.MALE, Sex.FEMALE)
    for start in range(0, n, chunk):
        mps, donors = [], []
        for i in range(start, min(n, start + chunk)):
            mp = f"BEN-MP-{i:06d}"
            mps.append(MissingPerson(
                id=mp, surname=rng.choice(_STEMS) + rng.choice(_ENDINGS),
                given_name=rng.choice(_GIVEN), patronymic=rng.choice(_PATRONYMIC),
                sex=sexes[i % 2], reported_by=SYNTHETIC, reported_on=day, notes=SYNTHETIC,
                last_seen_place="SYNTHETIC place"))
            donors.append(Donor(id=f"BEN-D-{i:06d}", missing_person_id=mp,
                                full_name=SYNTHETIC, sex=Sex.FEMALE,
                                relationship=Relationship.MOTHER))
        with db.session() as session:
            repos = Repositories(session, user="syn-bench")
            repos.missing_persons.add_all(mps)
            repos.donors.add_all(donors)


def build_database(path: Path, *, bodies: int, missing: int, seed: int) -> dict[str, str]:
    """The SYNTHETIC database; returns the accounts' passwords (name -> password)."""
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    passwords = {role: web_auth.new_password() for role in ROLES}
    with db.session() as session:
        accounts.add_user(session, "admin", ["admin"], actor="admin")
        for role in ROLES[:-1]:
            accounts.add_user(session, role, [role], actor="admin")
        for name, password in passwords.items():
            web_auth.set_password(session, name, password, actor="admin")
    t = time.perf_counter()
    summary = load_demo(db, bodies=bodies, identify=False, actor="admin")
    identify_stored_case(db, store=True, actor="analyst")
    print(f"  demonstration: {bodies} bodies, {summary['records_stored']} records, "
          f"identified and stored ({time.perf_counter() - t:.1f} s)", flush=True)
    with db.session() as session:
        existing = int(session.execute(sa.text("SELECT count(*) FROM missing_persons"))
                       .scalar_one())
    t = time.perf_counter()
    add_missing_persons(db, max(0, missing - existing), seed)
    print(f"  missing persons: {existing} from the demonstration + {max(0, missing - existing)} "
          f"SYNTHETIC bulk with one donor each ({time.perf_counter() - t:.1f} s)", flush=True)
    db.dispose()
    return passwords


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).parent / "homecoming"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "homecoming"]
    proc = subprocess.Popen(command + ["--database", url, "serve", "--port", str(port),
                                       "--public-statistics"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server did not start: "
                             + (proc.stderr.read().decode()[-2000:] if proc.stderr else ""))
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not answer within 60 s")


def _csrf(html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    if not match:
        raise SystemExit("no CSRF token on the log-in page")
    return match.group(1)


def sign_in(base: str, name: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=600)
    token = _csrf(client.get("/login").text)
    r = client.post("/login", data={"name": name, "password": password, "csrf_token": token})
    if r.status_code != 303:
        raise SystemExit(f"log-in of {name} failed: HTTP {r.status_code}")
    return client


def server_ms(response: httpx.Response) -> float | None:
    match = re.search(r"app;dur=([0-9.]+)", response.headers.get("server-timing", ""))
    return float(match.group(1)) if match else None


def page_paths(db_url: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(label, path) of every GET page with example path values; routes skipped (no value)."""
    from homecoming.services.web_queries import KINDS
    from homecoming.web.app import create_app
    from homecoming.web.config import WebConfig
    from homecoming.web.security import PUBLIC, ROUTE_PERMISSIONS

    db = Database(db_url)
    create_app(WebConfig(database_url=db_url), database=db)  # fills ROUTE_PERMISSIONS
    with db.engine.connect() as conn:
        keys: dict[str, str] = {}
        last_pages: dict[str, int] = {}
        for kind, spec in KINDS.items():
            column = spec.table.c[spec.key]
            first = conn.execute(sa.select(column).order_by(column.desc()).limit(1)).scalar()
            if first is not None:
                keys[kind] = str(first)
            count = int(conn.execute(sa.select(sa.func.count()).select_from(spec.table))
                        .scalar_one())
            last_pages[kind] = max(1, -(-count // 50))
        ident = conn.execute(sa.text("SELECT id FROM identifications ORDER BY id LIMIT 1")) \
            .scalar()
    db.dispose()
    values = {"ident_id": ident, "person_id": keys.get("missing-persons")}
    out: list[tuple[str, str]] = []
    skipped: list[str] = []
    for method, path in sorted(ROUTE_PERMISSIONS):
        if method != "GET" or ROUTE_PERMISSIONS[(method, path)] == PUBLIC and path in ("/",):
            continue
        params = re.findall(r"\{(\w+)\}", path)
        if "kind" in params:
            shadowed = path in ("/records/{kind}", "/records/{kind}/{key}")  # own routes
            kinds = [k for k in KINDS if not shadowed or k not in ("missing-persons", "donors")]
        else:
            fixed = re.match(r"/records/([\w-]+)", path)
            kinds = [fixed.group(1)] if fixed and fixed.group(1) in KINDS else [""]
        for kind in kinds:
            filled = path.replace("{kind}", kind)
            if "{key}" in filled:
                if kind not in keys:
                    skipped.append(path)
                    continue
                filled = filled.replace("{key}", keys[kind])
            try:
                filled = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), filled)
            except KeyError:
                skipped.append(path)
                continue
            if "None" in filled:
                skipped.append(path)
                continue
            label = path.replace("{kind}", kind) if kind else path
            out.append((label, filled))
            if path.endswith("/records/{kind}") or (kind and filled == f"/records/{kind}"):
                out.append((label + "?page=last", f"{filled}?page={last_pages[kind]}"))
                out.append((label + "?q=Ко", f"{filled}?q=%D0%9A%D0%BE"))
    return out, sorted(set(skipped))


def _download(path: str) -> bool:
    """A file download (CSV, PDF), not a page: measured, but not held to the page target
    and not in the users' mix."""
    return path.split("?", 1)[0].endswith((".csv", ".pdf"))


def time_pages(client: httpx.Client, pages: list[tuple[str, str]], repeat: int) -> list[Any]:
    rows = []
    for label, path in pages:
        times, status = [], 0
        for _ in range(1 if _download(path) else repeat):  # a download once
            r = client.get(path)
            status = r.status_code
            ms = server_ms(r)
            if ms is not None:
                times.append(ms)
        rows.append((label, status, statistics.median(times) if times else float("nan"),
                     max(times) if times else float("nan")))
    return rows


def allowed_pages(base: str, passwords: dict[str, str],
                  pages: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Per role: the pages it may open (HTTP 200 in a first pass)."""
    out = {}
    for role in ROLES:
        client = sign_in(base, role, passwords[role])
        out[role] = [p for _, p in pages
                     if not _download(p) and client.get(p).status_code == 200]
        client.close()
    return out


async def _sign_in_async(client: httpx.AsyncClient, name: str, password: str) -> float:
    """Sign in; returns the seconds it took (raises on failure)."""
    started = time.perf_counter()
    token = _csrf((await client.get("/login")).text)
    r = await client.post("/login", data={"name": name, "password": password,
                                          "csrf_token": token})
    if r.status_code != 303:
        raise RuntimeError(f"log-in {name}: HTTP {r.status_code}")
    return time.perf_counter() - started


async def _browse(index: int, client: httpx.AsyncClient, paths: list[str], until: float,
                  think: float, results: list[tuple[float, float | None, int, str]],
                  errors: list[str]) -> None:
    rng = random.Random(index)
    await asyncio.sleep(rng.random() * max(think, 0.05))
    while time.monotonic() < until:
        path = rng.choice(paths)
        started = time.perf_counter()
        try:
            r = await client.get(path)
        except httpx.HTTPError as exc:
            errors.append(f"{path}: {type(exc).__name__}")
            continue
        elapsed = (time.perf_counter() - started) * 1000
        results.append((elapsed, server_ms(r), r.status_code, path))
        if r.status_code != 200:
            errors.append(f"{path}: HTTP {r.status_code}")
        if think > 0:
            await asyncio.sleep(think * (0.5 + rng.random()))


async def load(base: str, passwords: dict[str, str], allowed: dict[str, list[str]],
               users: int, duration: float, think: float
               ) -> tuple[list[Any], list[str], list[float]]:
    """Sign ``users`` in (4 at a time, not timed as pages), then let them browse for
    ``duration`` seconds. Returns (page results, errors, log-in seconds)."""
    results: list[tuple[float, float | None, int, str]] = []
    errors: list[str] = []
    roles = [r for r in ROLES if allowed.get(r)]
    clients = [httpx.AsyncClient(base_url=base, follow_redirects=False, timeout=60)
               for _ in range(users)]
    gate = asyncio.Semaphore(4)

    async def sign_in_one(i: int) -> float:
        role = roles[i % len(roles)]
        async with gate:
            return await _sign_in_async(clients[i], role, passwords[role])

    try:
        logins = list(await asyncio.gather(*[sign_in_one(i) for i in range(users)]))
        until = time.monotonic() + duration
        await asyncio.gather(*[
            _browse(i, clients[i], allowed[roles[i % len(roles)]], until, think, results,
                    errors) for i in range(users)])
    finally:
        for client in clients:
            await client.aclose()
    return results, errors, logins


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="10,000 missing persons and a 15 s load phase")
    ap.add_argument("--missing-persons", type=int, default=None,
                    help="missing persons in all (default 100,000; 10,000 with --quick)")
    ap.add_argument("--bodies", type=int, default=447, help="remains of the demonstration")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--duration", type=float, default=None,
                    help="seconds of the load phase (default 60; 15 with --quick)")
    ap.add_argument("--think", type=float, default=1.0,
                    help="mean seconds a user waits between pages (0: no wait)")
    ap.add_argument("--repeat", type=int, default=5, help="fetches per page in phase 1")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--database", type=Path, default=None,
                    help="reuse (or create) this SQLite file instead of a temporary one")
    args = ap.parse_args()
    missing = args.missing_persons or (10_000 if args.quick else 100_000)
    duration = args.duration or (15.0 if args.quick else 60.0)
    load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"bench_web: SYNTHETIC demonstration ({args.bodies} bodies) + {missing:,} missing "
          f"persons; {args.users} users for {duration:.0f} s, think {args.think} s; "
          f"load average {load1:.1f} on {os.cpu_count()} CPUs", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        path = args.database or Path(tmp) / "web.db"
        pw_file = path.with_suffix(".passwords")
        if path.exists() and pw_file.exists():
            passwords = dict(line.split("\t", 1) for line in
                             pw_file.read_text().splitlines())
            print(f"  reusing {path}")
            Database(f"sqlite:///{path}").upgrade()  # to the newest schema
        else:
            passwords = build_database(path, bodies=args.bodies, missing=missing,
                                       seed=args.seed)
            if args.database:
                pw_file.write_text("".join(f"{k}\t{v}\n" for k, v in passwords.items()))
                os.chmod(pw_file, 0o600)
        url = f"sqlite:///{path}"
        pages, skipped = page_paths(url)
        port = _free_port()
        server = start_server(url, port)
        base = f"http://127.0.0.1:{port}"
        try:
            client = sign_in(base, "admin", passwords["admin"])
            for _, p in pages:  # warm-up (templates, list indexes); downloads are not
                if not _download(p):
                    client.get(p)
            rows = time_pages(client, pages, args.repeat)
            client.close()
            print(f"\n1. server time per page (admin, median / max of {args.repeat}, a "
                  f"download once; target {TARGET_MS:.0f} ms)")
            print(f"  {'page':<52} {'HTTP':>4} {'median ms':>10} {'max ms':>8} {'ratio':>6}")
            for label, status, med, top in rows:
                print(f"  {label:<52} {status:>4} {med:10.1f} {top:8.1f} "
                      f"{med / TARGET_MS:6.2f}")
            shown = [r for r in rows if not _download(r[0])]
            worst = max(shown, key=lambda r: r[2])
            print(f"  slowest page: {worst[0]} {worst[2]:.1f} ms (ratio "
                  f"{worst[2] / TARGET_MS:.2f}); pages over target: "
                  f"{sum(r[2] > TARGET_MS for r in shown)} of {len(shown)} (downloads .csv/.pdf "
                  "are listed but are not pages)")
            if skipped:
                print(f"  not measured (no example value): {', '.join(skipped)}")
            allowed = allowed_pages(base, passwords, pages)
            print(f"\n2. load: {args.users} users, roles in turn, {duration:.0f} s")
            results, errors, logins = asyncio.run(load(base, passwords, allowed, args.users,
                                                       duration, args.think))
            wall = duration
            print(f"  log-ins (4 at a time, before the clock): median {_pct(logins, 50):.2f} s, "
                  f"max {max(logins):.2f} s")
            client_ms = [r[0] for r in results]
            srv_ms = [r[1] for r in results if r[1] is not None]
            print(f"  requests {len(results)}, errors {len(errors)}, "
                  f"{len(results) / wall:.1f} requests/s")
            for name, values in (("client latency", client_ms), ("server time", srv_ms)):
                p50, p95, p99 = (_pct(values, q) for q in (50, 95, 99))
                print(f"  {name:<15} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms"
                      f"  (p95 ratio to {TARGET_MS:.0f} ms: {p95 / TARGET_MS:.2f})")
            by_page: dict[str, list[float]] = {}
            for r in results:
                if r[1] is not None:
                    by_page.setdefault(re.sub(r"/(?:BEN|SYN|IDN)-[^/?]+", "/{key}", r[3]),
                                       []).append(r[1])
            print("  slowest pages under load (server time p50 / p95, requests):")
            for name, values in sorted(by_page.items(), key=lambda kv: -_pct(kv[1], 95))[:8]:
                print(f"    {name:<50} {_pct(values, 50):7.1f} {_pct(values, 95):7.1f} ms"
                      f"  {len(values):4d}")
            for line in sorted(set(errors))[:10]:
                print(f"  error: {line}")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    print(f"\nload average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

"""Roster under load (scripts/bench-load.sh runs this with Locust).

Three kinds of simulated people, at fixed counts:
- Administrators (ConsoleUser) working the Users table: pages, searches,
  sorted pages and the list server function behind the table, together at
  a constant 200 requests/s.
- People signing in (SignInUser): a steady trickle of real sign-ins, each
  a password hash on the server.
- Open tabs (LiveTab): 1,000 live WebSocket connections that stay open for
  the whole run, as signed-in tabs do; a dropped one counts as an error.

Everything goes to the loopback address given with --host.

Two phases. First the tabs connect and the administrators sign in, as after
a restart (each tab's connection time is kept and printed on its own line).
Once every tab is open and every administrator signed in, Locust's figures
start from zero and the load runs for ROSTER_LOAD_SECONDS: what is judged is
200 requests/s while 1,000 connections stay open, not the connecting.
"""

import os
import random
import time
import urllib.parse

import gevent
import websocket
from locust import FastHttpUser, User, between, constant_throughput, events, task

PASSWORD = os.environ["ROSTER_LOAD_PASSWORD"]
ADMIN = os.environ.get("ROSTER_LOAD_ADMIN", "admin")
SIGNERS = [u for u in os.environ.get("ROSTER_LOAD_SIGNERS", "").split(",") if u]
CONSOLE_USERS = int(os.environ.get("ROSTER_LOAD_CONSOLE_USERS", "50"))
RATE = float(os.environ.get("ROSTER_LOAD_RATE", "200"))
TABS = int(os.environ.get("ROSTER_LOAD_TABS", "1000"))
SECONDS = float(os.environ.get("ROSTER_LOAD_SECONDS", "60"))
SEARCHES = ["smith", "ann", "example.org", "lee", "garcia", "mo", "jo", "wang"]

# Tabs open now, and the most that were open at once.
open_tabs = 0
most_open_tabs = 0
# How long each attempt to connect a tab took (ms); a failed attempt is
# retried, so there can be more than TABS.
connect_ms = []
# Administrators signed in so far (the measured phase waits for all).
admins_ready = 0


def sign_in(client, username, name):
    """A real sign-in through the server function the sign-in page calls."""
    with client.post(
        "/api/sign_in",
        data={"login": username, "password": PASSWORD},
        headers={"origin": client.base_url},
        name=name,
        catch_response=True,
    ) as response:
        if response.status_code != 200:
            response.failure(f"sign-in answered {response.status_code}")


class ConsoleUser(FastHttpUser):
    """An administrator on the Users table."""

    fixed_count = CONSOLE_USERS
    wait_time = constant_throughput(RATE / CONSOLE_USERS)

    def on_start(self):
        global admins_ready
        sign_in(self.client, ADMIN, "sign in (administrators, at start)")
        admins_ready += 1

    @task(4)
    def users_page(self):
        page = random.randint(1, 2000)
        self.client.get(
            f"/users?page={page}", headers={"accept": "text/html"}, name="/users?page=N"
        )

    @task(3)
    def search(self):
        q = urllib.parse.quote(random.choice(SEARCHES))
        self.client.get(f"/users?q={q}", headers={"accept": "text/html"}, name="/users?q=…")

    @task(1)
    def sorted_page(self):
        self.client.get(
            "/users?sort=last_activity&dir=desc",
            headers={"accept": "text/html"},
            name="/users?sort=last_activity",
        )

    @task(3)
    def list_server_function(self):
        q = random.choice(SEARCHES)
        page = random.randint(1, 20)
        self.client.post(
            "/api/list_users",
            data={"view": f"q={q}&page={page}"},
            headers={"origin": self.client.base_url},
            name="list_users (server function)",
        )


class SignInUser(FastHttpUser):
    """Someone signing in: a fresh session each time."""

    fixed_count = 4
    wait_time = constant_throughput(1)

    @task
    def sign_in_and_out(self):
        self.client.cookiejar.clear()
        sign_in(self.client, random.choice(SIGNERS), "sign_in (server function)")


class LiveTab(User):
    """A signed-in tab holding its live connection open."""

    fixed_count = TABS
    wait_time = between(0, 0)

    def on_start(self):
        LiveTab.started = getattr(LiveTab, "started", 0) + 1
        self.cookie = COOKIES[LiveTab.started % len(COOKIES)]
        self.ws = None
        self.connect()

    def connect(self):
        global open_tabs, most_open_tabs
        url = self.host.replace("http", "ws", 1) + "/live"
        start = time.perf_counter()
        try:
            self.ws = websocket.create_connection(
                url, header=[f"Cookie: {self.cookie}"], origin=self.host, timeout=30
            )
            exception = None
        except Exception as error:  # noqa: BLE001 - reported as a failure
            self.ws, exception = None, error
        elapsed = (time.perf_counter() - start) * 1000
        connect_ms.append(elapsed)
        events.request.fire(
            request_type="WS",
            name="/live (connect)",
            response_time=elapsed,
            response_length=0,
            exception=exception,
            context={},
        )
        if self.ws is not None:
            open_tabs += 1
            most_open_tabs = max(most_open_tabs, open_tabs)
            # The server pings every 20 s; recv() answers pings itself and
            # returns only on a message, a drop or this timeout. A 5 s
            # timeout woke the 1,000 tabs 200 times a second in Locust's one
            # Python thread, the thread that also times the console's
            # requests.
            self.ws.settimeout(60)

    @task
    def hold(self):
        global open_tabs
        if self.ws is None:
            time.sleep(1)
            self.connect()
            return
        try:
            self.ws.recv()
        except websocket.WebSocketTimeoutException:
            return
        except Exception as error:  # noqa: BLE001 - a dropped tab is an error
            open_tabs -= 1
            self.ws = None
            events.request.fire(
                request_type="WS",
                name="/live (dropped)",
                response_time=0,
                response_length=0,
                exception=error,
                context={},
            )

    def on_stop(self):
        global open_tabs
        if self.ws is not None:
            open_tabs -= 1
            self.ws.close()


# The cookies the tabs send: one session per ten tabs (people keep several
# tabs open), signed in before the run, outside the measurement.
COOKIES = []
stopping_open_tabs = None


def session_cookie(host, username):
    """Signs `username` in and returns the cookie its tabs send."""
    import http.cookiejar
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    body = urllib.parse.urlencode({"login": username, "password": PASSWORD}).encode()
    request = urllib.request.Request(
        f"{host}/api/sign_in", data=body, headers={"origin": host}, method="POST"
    )
    opener.open(request).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


# The run's environment, for the measuring greenlet (spawning_complete
# does not pass it).
ENVIRONMENT = []


@events.test_start.add_listener
def on_test_start(environment, **_kwargs):
    ENVIRONMENT.append(environment)
    sessions = max(1, TABS // 10)
    people = SIGNERS or [ADMIN]
    COOKIES.extend(
        session_cookie(environment.host, people[n % len(people)]) for n in range(sessions)
    )


def measure(environment):
    """Waits for every tab and administrator (at most two minutes), starts
    the figures from zero, and ends the run SECONDS later."""
    deadline = time.monotonic() + 120
    while (len(connect_ms) < TABS or admins_ready < CONSOLE_USERS) and time.monotonic() < deadline:
        gevent.sleep(0.1)
    connected = sorted(connect_ms)
    if connected:
        p50 = connected[len(connected) // 2]
        p99 = connected[min(len(connected) - 1, int(len(connected) * 0.99))]
        print(
            f"connecting: {open_tabs} of {TABS} tabs open after {len(connected)} attempts "
            f"(p50 {p50:.0f} ms, p99 {p99:.0f} ms), "
            f"{admins_ready} administrators signed in; now {SECONDS:.0f} s of load",
            flush=True,
        )
    environment.stats.reset_all()
    gevent.sleep(SECONDS)
    environment.runner.quit()


@events.spawning_complete.add_listener
def on_spawning_complete(**_kwargs):
    gevent.spawn(measure, ENVIRONMENT[0])


@events.test_stopping.add_listener
def on_test_stopping(environment, **_kwargs):
    global stopping_open_tabs
    stopping_open_tabs = open_tabs


@events.quitting.add_listener
def on_quitting(environment, **_kwargs):
    print(
        f"live connections: {most_open_tabs} open at most, "
        f"{stopping_open_tabs} still open when the run ended (of {TABS})"
    )

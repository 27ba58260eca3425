#!/usr/bin/env python3
"""Run the scim2-tester compliance checks against a SCIM 2.0 server.

Usage:
    SCIM_TOKEN=roster_xxx python scim_check.py http://127.0.0.1:8080/scim/v2
    python scim_check.py BASE_URL TOKEN          # token on argv is visible in `ps`

Environment:
    SCIM_BASE_URL            base URL if not given on argv (e.g. http://host/scim/v2)
    SCIM_TOKEN               bearer token if not given on argv (sent as "Bearer <token>")
    SCIM_CHECK_RESOURCE_TYPES  comma list of ResourceType names to exercise (default "User,Group")
    SCIM_CHECK_VERBOSE=1     also print the debug data attached to non-passing results
    SCIM_CHECK_LENIENT=1     ignore undeclared attributes in responses (default: refuse them)
    SCIM_CHECK_TIMEOUT       HTTP timeout in seconds (default 30)

Exit code: 0 if no check failed, 1 if any check failed, 2 on usage error.
Tested with scim2-tester 0.5.2 / scim2-client 0.13.2 / scim2-models 0.12.3 / httpx2 2.17.0.
"""

import os
import sys

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import ScimPolicy
from scim2_models import ScimProvider
from scim2_tester import CheckConfig
from scim2_tester import Status
from scim2_tester import check_server
from scim2_tester.checkers import core_schemas_validation
from scim2_tester.utils import CheckContext

PASSED = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE, Status.DEVIATION}
FAILED = {Status.ERROR, Status.CRITICAL}


def _one_line(text, limit=600):
    text = " | ".join(str(text).split("\n"))
    return text if len(text) <= limit else text[:limit] + "..."


def make_client(base_url, token, transport=None, lenient=False, timeout=30.0):
    http = httpx2.Client(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=timeout,
        transport=transport,
    )
    policy = ScimPolicy(unknown=ScimPolicy.Unknown.ignore) if lenient else None
    # An empty provider makes check_server build the models from what the
    # server publishes on /ServiceProviderConfig, /ResourceTypes and /Schemas.
    return SyncSCIMClient(http, provider=ScimProvider(policy=policy))


def run(client, resource_types, verbose=False):
    results = check_server(client, resource_types=resource_types)

    # Exported by scim2-tester but not called by check_server (0.5.2).
    context = CheckContext(client, CheckConfig(resource_types=resource_types))
    results.extend(core_schemas_validation(context))

    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for r in results:
        if r.status in FAILED:
            counts["failed"] += 1
        elif r.status == Status.SKIPPED:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
        scope = f"[{r.resource_type}] " if r.resource_type else ""
        line = f"{r.status.name:<8} {scope}{r.title}"
        if r.reason:
            line += f": {_one_line(r.reason)}"
        print(line)
        if verbose and r.status not in PASSED and r.data is not None:
            data = r.data
            if hasattr(data, "status_code") and hasattr(data, "text"):
                data = f"HTTP {data.status_code} {data.text}"
            print(f"         data: {_one_line(data, 2000)}")

    # check_server silently stops after discovery if it cannot describe the
    # server; make a missing resource type an explicit failure.
    seen = {r.resource_type for r in results if r.resource_type}
    for name in resource_types:
        if name not in seen:
            counts["failed"] += 1
            print(
                f"ERROR    [{name}] resource_type_tests: no check ran for this "
                "resource type (discovery failed or /ResourceTypes does not publish it)"
            )

    print(
        f"scim2-tester: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['skipped']} skipped"
    )
    return 1 if counts["failed"] else 0


def main(argv):
    base_url = argv[1] if len(argv) > 1 else os.environ.get("SCIM_BASE_URL")
    token = argv[2] if len(argv) > 2 else os.environ.get("SCIM_TOKEN")
    if not base_url or not token:
        print(__doc__, file=sys.stderr)
        return 2
    resource_types = [
        name.strip()
        for name in os.environ.get("SCIM_CHECK_RESOURCE_TYPES", "User,Group").split(",")
        if name.strip()
    ]
    client = make_client(
        base_url.rstrip("/"),
        token,
        lenient=os.environ.get("SCIM_CHECK_LENIENT") == "1",
        timeout=float(os.environ.get("SCIM_CHECK_TIMEOUT", "30")),
    )
    print(f"scim2-tester: checking {base_url} (resource types: {', '.join(resource_types)})")
    return run(client, resource_types, verbose=os.environ.get("SCIM_CHECK_VERBOSE") == "1")


if __name__ == "__main__":
    sys.exit(main(sys.argv))

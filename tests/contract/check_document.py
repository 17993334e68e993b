#!/usr/bin/env python3
"""The API document against the code it describes, where the e2e checks cannot see:

- every route the binary serves (`poki routes`) is an operation of the document, and every
  operation is a route (no more, no fewer);
- every operation has an id, a summary, a tag, a success answer, and problems for 4XX and 5XX;
- every problem reason the sources can raise (`error{errc::…, "reason", …}`,
  `error::too_many(…, "reason", …)`) is in the Problem schema's `code` enum, and the enum
  names nothing the sources never raise;
- every event type the sources record, and every WebSocket message type they send, is
  documented.

Usage: check_document.py REPOSITORY_ROOT POKI_BINARY OPENAPI_JSON
Prints each broken promise and exits 1, or exits 0 when all hold.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
# The web app's pages and files: served, but not the API.
NOT_THE_API = {("GET", "/{web_path}")}
CATEGORIES = {"bad_request", "validation_failed", "unauthorized", "forbidden", "not_found",
              "method_not_allowed", "conflict", "payload_too_large", "header_too_large",
              "unsupported_media_type", "too_many_requests", "unavailable", "internal"}


def routes_of(binary, root):
    out = subprocess.run([binary, "routes", "--config", str(root / "config/poki.example.json")],
                         check=True, capture_output=True, text=True,
                         env={"POKI_AUTH_JWT_SECRET": "x" * 32}).stdout
    routes = set()
    for line in out.splitlines():
        method, path = line.split(" ", 1)
        # The router's typed parameters ({id:int}) are plain ones in OpenAPI.
        routes.add((method, re.sub(r"\{(\w+):\w+\}", r"{\1}", path)))
    return routes - NOT_THE_API


def operations_of(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method.upper(), path, operation


def sources(root):
    for folder in ("src", "include"):
        for file in sorted((root / folder).rglob("*.[ch]pp")):
            yield file, file.read_text(encoding="utf-8")


def raised_reasons(root):
    reasons = {}
    patterns = [re.compile(r'errc::\w+,\s*"(\w+)"'),
                re.compile(r'too_many\([^;]*?,\s*"(\w+)"', re.S)]
    for file, text in sources(root):
        for pattern in patterns:
            for reason in pattern.findall(text):
                reasons.setdefault(reason, file.relative_to(root))
    # conflict_in_state's reason is always wrong_state.
    reasons.setdefault("wrong_state", Path("src/core/error.cpp"))
    return reasons


def main():
    root, binary, document_file = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    document = json.loads(Path(document_file).read_text(encoding="utf-8"))
    problems = []

    routes = routes_of(binary, root)
    documented = {(m, p) for m, p, _ in operations_of(document)}
    for method, path in sorted(routes - documented):
        problems.append(f"route {method} {path} is not in the document")
    for method, path in sorted(documented - routes):
        problems.append(f"the document's {method} {path} is no route")

    ids = set()
    for method, path, op in operations_of(document):
        name = f"{method} {path}"
        for key in ("operationId", "summary", "tags"):
            if not op.get(key):
                problems.append(f"{name} has no {key}")
        if op.get("operationId") in ids:
            problems.append(f"{name}: operationId {op['operationId']} is used twice")
        ids.add(op.get("operationId"))
        responses = op.get("responses", {})
        if not any(code.startswith("2") or code == "101" for code in responses):
            problems.append(f"{name} documents no success")
        for kind in ("4XX", "5XX"):
            if kind not in responses:
                problems.append(f"{name} has no {kind} (problem) answer")

    codes = set(document["components"]["schemas"]["Problem"]["properties"]["code"]["enum"])
    reasons = raised_reasons(root)
    for reason, file in sorted(reasons.items()):
        if reason not in codes:
            problems.append(f"problem code {reason} ({file}) is not in the Problem schema")
    for code in sorted(codes - set(reasons) - CATEGORIES):
        problems.append(f"the Problem schema's code {code} is raised nowhere")

    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

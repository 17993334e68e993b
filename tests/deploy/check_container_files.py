#!/usr/bin/env python3
"""No docker engine runs here, so the Dockerfile and docker-compose.yml are checked against
what does run: the binary scripts/ build (its shared libraries, its configuration keys, its
commands), the package lists in scripts/lib/common.sh, the example configuration and the
coturn that scripts/run starts.

Usage: check_container_files.py REPOSITORY_ROOT POKI_BINARY
Prints each broken promise and exits 1, or exits 0 when all hold.
"""
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

# In debian:bookworm-slim already (essential), and the sanitizers' runtimes of a test build.
BASE_IMAGE_LIBRARIES = {"libc6", "libstdc++6", "libgcc-s1"}
SANITIZER_RUNTIME = re.compile(r"^lib(asan|ubsan|lsan|tsan)")
# Packages of scripts/lib/common.sh that only the tests and the developer's machine need.
NOT_FOR_THE_IMAGE_BUILD = {
    "ccache", "clang-format", "libgtest-dev", "libgmock-dev", "postgresql", "postgresql-contrib",
    "redis-server", "openssl", "procps", "coturn", "tzdata",
}


class Findings:
    def __init__(self):
        self.problems = []

    def require(self, ok, message):
        if not ok:
            self.problems.append(message)


def dockerfile_stages(text):
    """Each stage's instructions as (INSTRUCTION, argument text), continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    stages = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, rest = line.partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        stages[-1].append((instruction.upper(), rest.strip()))
    return stages


def installed_packages(stage):
    packages = set()
    for instruction, rest in stage:
        if instruction != "RUN":
            continue
        for command in re.split(r"&&|;", rest):
            words = shlex.split(command)
            if "apt-get" in words and "install" in words:
                packages.update(w for w in words[words.index("install") + 1:] if not w.startswith("-"))
    return packages


def environment_of(stage):
    env = {}
    for instruction, rest in stage:
        if instruction == "ENV":
            for pair in shlex.split(rest):
                name, _, value = pair.partition("=")
                env[name] = value
    return env


def copies_to(stage):
    """COPY sources by destination."""
    copies = {}
    for instruction, rest in stage:
        if instruction == "COPY":
            words = [w for w in rest.split() if not w.startswith("--")]
            copies[words[-1]] = words[:-1]
    return copies


def needed_packages(binary):
    """The Debian package of each shared library the binary names (DT_NEEDED), as found in
    the binary's own multiarch directory: a machine with libc6-i386 also has a /lib32/libm.so.6."""
    dynamic = subprocess.run(["readelf", "-d", binary], check=True, capture_output=True, text=True).stdout
    multiarch = subprocess.run(["gcc", "-print-multiarch"], check=True, capture_output=True,
                               text=True).stdout.strip()
    packages = {}
    for library in re.findall(r"Shared library: \[([^\]]+)\]", dynamic):
        if SANITIZER_RUNTIME.match(library):
            continue
        owners = subprocess.run(["dpkg", "-S", f"*/{multiarch}/{library}"], capture_output=True,
                                text=True).stdout.splitlines()
        native = [line.split(":")[0] for line in owners if line.endswith(f"/{multiarch}/{library}")]
        packages[library] = native[0] if native else None
    return packages


def common_packages(root):
    text = (root / "scripts/lib/common.sh").read_text()
    block = re.search(r"POKI_PACKAGES=\((.*?)\)", text, re.S).group(1)
    return set(block.split())


def config_variables(binary):
    usage = subprocess.run([binary, "--help"], check=True, capture_output=True, text=True).stdout
    return set(re.findall(r"\((POKI_[A-Z0-9_]+)\)", usage)) | {"POKI_CONFIG"}


def check_dockerfile(root, binary, found):
    stages = dockerfile_stages((root / "Dockerfile").read_text())
    found.require(len(stages) == 2, "the Dockerfile has a build stage and a runtime stage")
    build, runtime = stages[0], stages[-1]

    runtime_packages = installed_packages(runtime)
    for library, package in needed_packages(binary).items():
        found.require(package is not None, f"no Debian package owns {library}, which poki needs")
        if package and package not in BASE_IMAGE_LIBRARIES:
            found.require(package in runtime_packages,
                          f"the runtime image lacks {package} ({library}, which poki needs)")

    build_packages = installed_packages(build)
    for package in sorted(common_packages(root) - NOT_FOR_THE_IMAGE_BUILD):
        found.require(package in build_packages,
                      f"the build stage lacks {package}, which scripts/ install to build poki")

    known = config_variables(binary)
    env = environment_of(runtime)
    for name in env:
        if name.startswith("POKI_"):
            found.require(name in known, f"the Dockerfile sets {name}, which names no key")
    copies = copies_to(runtime)
    found.require(copies.get(env.get("POKI_DATABASE_MIGRATIONS_DIR")) == ["sql"],
                  "POKI_DATABASE_MIGRATIONS_DIR is where the image copies sql/")
    web = copies.get(env.get("POKI_WEB_ROOT"), [])
    found.require(any(w.endswith("web-app") for w in web),
                  "POKI_WEB_ROOT is where the image copies the built web app")
    found.require("/usr/local/bin/poki" in copies, "the image installs /usr/local/bin/poki")

    example = json.loads((root / "config/poki.example.json").read_text())
    exposed = [rest for instruction, rest in runtime if instruction == "EXPOSE"]
    found.require(exposed == [str(example["http"]["port"])],
                  f"EXPOSE {exposed} is the configured http.port {example['http']['port']}")
    cmd = [json.loads(rest) for instruction, rest in runtime if instruction == "CMD"]
    found.require(bool(cmd) and cmd[0][0] == "serve", "the image's command is `poki serve`")
    if cmd:
        config_path = cmd[0][cmd[0].index("--config") + 1] if "--config" in cmd[0] else None
        found.require(config_path in copies, f"the image has the config file {config_path} it names")
    health = " ".join(rest for instruction, rest in runtime if instruction == "HEALTHCHECK")
    found.require(f"127.0.0.1:{example['http']['port']}/healthz" in health,
                  "the image's health check asks /healthz on the configured port")


def check_compose(root, binary, found):
    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    services = compose["services"]
    known = config_variables(binary)
    for name, service in services.items():
        found.require(re.fullmatch(r"unless-stopped|always|on-failure(:\d+)?", str(service.get("restart"))),
                      f"service {name} has a restart policy")
        for port in service.get("ports", []):
            found.require(str(port).startswith("127.0.0.1:"), f"{name} publishes {port} on loopback only")

    postgres_check = " ".join(services["postgres"]["healthcheck"]["test"])
    found.require("pg_isready" in postgres_check and " -h " in postgres_check,
                  "PostgreSQL's health check asks over TCP (pg_isready -h), as the server connects")

    poki = services["poki"]
    env = {k: str(v) for k, v in poki["environment"].items()}
    for variable in env:
        if variable.startswith("POKI_"):
            found.require(variable in known, f"docker-compose sets {variable}, which names no key")
    for dependency in ("postgres", "redis"):
        found.require(poki["depends_on"][dependency]["condition"] == "service_healthy",
                      f"poki waits for a healthy {dependency}")
    found.require(f"@postgres:" in env.get("POKI_DATABASE_URL", ""), "poki reaches the postgres service")
    found.require(env.get("POKI_REDIS_HOST") == "redis", "poki reaches the redis service")
    nofile = poki.get("ulimits", {}).get("nofile", {})
    found.require(isinstance(nofile, dict) and int(nofile.get("soft", 0)) >= 65536,
                  "poki's nofile limit is at least the unit's LimitNOFILE=65536")
    found.require(poki.get("stop_signal") == "SIGTERM", "poki stops with SIGTERM (it drains)")

    # coturn as scripts/run starts it, with the secret the server signs credentials with.
    coturn = services["coturn"]["command"]
    run_flags = re.search(r"turnserver (.*?)>/dev/null", (root / "scripts/lib/common.sh").read_text(), re.S)
    run_words = set(shlex.split(run_flags.group(1).replace("\\\n", " "))) if run_flags else set()
    for flag in ("--use-auth-secret", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
                 "--min-port=49152", "--max-port=49407", "--realm=poki.local"):
        found.require(flag in coturn and flag in run_words, f"coturn runs with {flag}, as scripts/run starts it")
    secret = [w.split("=", 1)[1] for w in coturn if w.startswith("--static-auth-secret=")]
    found.require(secret == [env.get("POKI_CALLS_TURN_SECRET")], "coturn and poki share the TURN secret")
    port = [w.split("=", 1)[1] for w in coturn if w.startswith("--listening-port=")]
    found.require(bool(port) and f":{port[0]}" in env.get("POKI_CALLS_TURN_URLS", ""),
                  "the TURN URLs poki hands out name coturn's port")


def main():
    root, binary = Path(sys.argv[1]), sys.argv[2]
    found = Findings()
    check_dockerfile(root, binary, found)
    check_compose(root, binary, found)
    for problem in found.problems:
        print(f"container files: {problem}")
    return 1 if found.problems else 0


if __name__ == "__main__":
    sys.exit(main())

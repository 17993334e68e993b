# Shared by scripts/run, scripts/test and bench/run: Debian packages, the build, and a local
# PostgreSQL + Redis on loopback. Source it; it defines functions only.

POKI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PG_BIN="/usr/lib/postgresql/15/bin"

POKI_PACKAGES=(
  g++ cmake make pkg-config ccache clang-format
  libboost1.81-dev nlohmann-json3-dev libpqxx-dev libhiredis-dev libspdlog-dev libfmt-dev libssl-dev
  libhowardhinnant-date-dev tzdata python3-yaml
  libgtest-dev libgmock-dev
  postgresql postgresql-contrib redis-server openssl procps coturn
)

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs whatever Debian packages of the list are missing (apt-get update only if needed).
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Node.js (the machine's, or Debian's) and web/node_modules exactly as web/package-lock.json
# pins them: `npm ci` again only when the lock file changed since the last install.
ensure_web_packages() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    ensure_packages nodejs npm
  fi
  local web="$POKI_ROOT/web" want
  want="$(sha256sum "$web/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$web/node_modules/.poki-lock" 2>/dev/null)" != "$want" ]; then
    say "installing the web app's npm packages (npm ci)"
    (cd "$web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$want" > "$web/node_modules/.poki-lock"
  fi
}

# build_poki DIR BUILD_TYPE [cmake options...]
build_poki() {
  local dir="$1" type="$2"; shift 2
  export CCACHE_BASEDIR="$POKI_ROOT" CCACHE_NOHASHDIR=1 CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
  cmake -S "$POKI_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}

# A TCP port on 127.0.0.1 that nothing listens on.
# Picks below the kernel's ephemeral range (32768+), so that no outgoing connection (a
# bench opens ten thousand) can be sitting on the port when the server binds it.
free_port() {
  local port
  while :; do
    port=$(( RANDOM % 12000 + 20000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"; return 0
    fi
  done
}

# Whether something accepts TCP connections on 127.0.0.1:PORT.
port_taken() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# What listens on 127.0.0.1:PORT, for an error message ("" when ss cannot tell).
port_owner() {
  command -v ss >/dev/null || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(([^)]*))' | head -1 || true
}

# Runs a PostgreSQL tool as the postgres user when we are root (PostgreSQL refuses root).
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Whether PIDFILE names a live process whose command line contains TEXT. After a reboot a
# pid file can name a pid that another process has now (another cluster's postgres, even),
# which `kill -0` and `pg_ctl status` take for the process that wrote the file.
pid_file_runs() {
  local file="$1" text="$2" pid
  pid="$(head -1 "$file" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$text"
}

# Whether the postmaster of DIR's cluster runs (its command line names the data folder).
pg_runs() {
  pid_file_runs "$1/data/postmaster.pid" "-D $1/data"
}

# pg_start DIR PORT: a cluster under DIR (created on first use), listening on 127.0.0.1:PORT.
pg_start() {
  local dir="$1" port="$2"
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$dir"
    # Every parent must be traversable by postgres (mktemp makes 0700 folders).
    local up="$dir"
    while up="$(dirname "$up")"; [ "$up" != "/" ]; do chmod o+x "$up" 2>/dev/null || true; done
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    say "creating PostgreSQL cluster in $dir/data"
    pg_as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  pg_as_owner mkdir -p "$dir/run"
  if ! pg_runs "$dir"; then
    # Lock files of a postmaster that is gone (a reboot, a kill -9): PostgreSQL would refuse
    # to start while their pid belongs to some other process. Its shared-memory check still
    # refuses a second postmaster on this folder.
    rm -f "$dir/data/postmaster.pid" "$dir"/run/.s.PGSQL.*.lock
    pg_as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -w -t 60 -l "$dir/postgres.log" \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/run -c max_connections=200" start >/dev/null \
      || { tail -20 "$dir/postgres.log" >&2; die "PostgreSQL did not start"; }
  fi
  psql_admin "$port" -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'poki'" | grep -q 1 \
    || psql_admin "$port" -qc "CREATE ROLE poki LOGIN CREATEDB"
  psql_admin "$port" -tAc "SELECT 1 FROM pg_database WHERE datname = 'poki'" | grep -q 1 \
    || psql_admin "$port" -qc "CREATE DATABASE poki OWNER poki"
}

pg_stop() {
  local dir="$1"
  pg_runs "$dir" || return 0
  pg_as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

psql_admin() {
  local port="$1"; shift
  psql -X -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"
}

# redis_start DIR PORT: Redis on 127.0.0.1:PORT with its append-only file under DIR.
redis_start() {
  local dir="$1" port="$2"
  mkdir -p "$dir"
  if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then return 0; fi
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --appendonly yes --save "" >/dev/null
  local i
  for i in $(seq 1 100); do
    redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  tail -20 "$dir/redis.log" >&2
  die "Redis did not start"
}

# Whether the Redis answering on PORT keeps its data in DIR (one we started there).
redis_is_ours() {
  local port="$1" dir="$2"
  [ "$(redis-cli -h 127.0.0.1 -p "$port" config get dir 2>/dev/null | sed -n 2p)" = "$(cd "$dir" 2>/dev/null && pwd -P)" ]
}

redis_stop() {
  local port="$1"
  redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
}

# coturn on loopback with the shared secret Poki signs TURN credentials with (coturn's
# use-auth-secret): calls work out of the box. Relays stay on 127.0.0.1 too.
turn_start() {
  local dir="$1" port="$2" secret_file="$3"
  mkdir -p "$dir"
  if pid_file_runs "$dir/turnserver.pid" turnserver; then return 0; fi
  turnserver -n --listening-ip=127.0.0.1 --relay-ip=127.0.0.1 --listening-port="$port" \
    --min-port=49152 --max-port=49407 --use-auth-secret --static-auth-secret="$(cat "$secret_file")" \
    --realm=poki.local --no-cli --no-tls --no-dtls --allow-loopback-peers --db="$dir/turndb" \
    --pidfile="$dir/turnserver.pid" --log-file="$dir/turnserver.log" --simple-log --no-stdout-log \
    >/dev/null 2>&1 &
  echo $! > "$dir/turnserver.pid"
}

turn_stop() {
  local dir="$1"
  if pid_file_runs "$dir/turnserver.pid" turnserver; then
    kill -TERM "$(cat "$dir/turnserver.pid")" 2>/dev/null || true
  fi
  rm -f "$dir/turnserver.pid"
}

# g++ 12 destroys a capturing lambda twice when it is written inside a co_await expression
# (co_await pool.run([x] { ... })). Bind such lambdas to a named local first. Reference
# captures and `this` are harmless and allowed. It also miscompiles a co_await inside a
# braced initializer (page<T> p{co_await f(), x}: the server crashes), except the
# this_coro queries, which never suspend.
check_coroutine_captures() {
  (cd "$POKI_ROOT" && git ls-files '*.cpp' '*.hpp' | xargs perl -0777 -ne '
    while (/co_await([^;{}]*?)\[([^\]\[]*)\]\s*[({]/gs) {
      my $capture = $2;
      for my $part (split /,/, $capture) {
        $part =~ s/^\s+|\s+$//g;
        next if $part eq "" || $part eq "&" || $part eq "this" || $part =~ /^&\w+$/;
        my $line = 1 + (substr($_, 0, pos($_)) =~ tr/\n//);
        print "$ARGV:$line: capturing lambda [$capture] inside co_await (g++ 12 double-destroys it)\n";
        $found = 1;
        last;
      }
    }
    while (/[\w>]\{\s*co_await\s+(?!net::this_coro::)/gs) {
      my $line = 1 + (substr($_, 0, pos($_)) =~ tr/\n//);
      print "$ARGV:$line: co_await inside a braced initializer (g++ 12 miscompiles it): await into a local first\n";
      $found = 1;
    }
    while (/co_await\b[^;{}]*?[(,]\s*\{/gs) {
      my $line = 1 + (substr($_, 0, pos($_)) =~ tr/\n//);
      print "$ARGV:$line: braced argument inside co_await (g++ 12: \"array used as initializer\"): bind it to a local first\n";
      $found = 1;
    }
    # A coroutine lambda keeps its captures in the lambda object, not in the coroutine: one
    # spawned detached from a local lambda reads them after the local is gone.
    my %coroutine_lambdas;
    while (/auto\s+(\w+)\s*=\s*\[([^\]]*\S[^\]]*)\]\s*\([^)]*\)[^{;]*?awaitable/gs) {
      $coroutine_lambdas{$1} = 1;
    }
    for my $name (keys %coroutine_lambdas) {
      while (/co_spawn\([^;]*?\b\Q$name\E\s*\([^;]*?detached/gs) {
        my $line = 1 + (substr($_, 0, pos($_)) =~ tr/\n//);
        print "$ARGV:$line: detached coroutine from the capturing lambda $name: its captures die with the lambda; use a member or free coroutine with parameters\n";
        $found = 1;
      }
    }
    END { exit($found ? 1 : 0) }')
}

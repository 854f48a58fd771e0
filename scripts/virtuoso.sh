#!/usr/bin/env bash
# A private OpenLink Virtuoso 7 (Debian package virtuoso-opensource) on 127.0.0.1, for the
# integration tests and benchmarks of `kg push`, `kg pull` and `kg query --endpoint`.
#
# Usage: scripts/virtuoso.sh install|start|stop|status|url
#
#   install  install the Debian package (as root) without starting its system service
#   start    start the private instance (idempotent); a new database gets VIRTUOSO_DBA_PASSWORD
#   stop     stop it, waiting until the process has gone (idempotent)
#   status   print `running PID URL` (exit 0) or `stopped` (exit 3)
#   url      print the base URL, e.g. http://127.0.0.1:28890
#
# Environment:
#   VIRTUOSO_ROOT          folder of the database and its ini (default: kg-virtuoso-UID in the temp folder)
#   VIRTUOSO_HTTP_PORT     HTTP port on 127.0.0.1 (default 28890)
#   VIRTUOSO_SQL_PORT      SQL (isql) port on 127.0.0.1 (default 21111)
#   VIRTUOSO_DBA_PASSWORD  password of the `dba` account (default dba; a test instance only)
#   VIRTUOSO_BUFFERS       8 KiB pages of cache (default 100000, about 800 MB at most)
#
# Endpoints: /sparql (query, anonymous, read only), /sparql-auth (query and update, HTTP Digest
# as dba), /sparql-graph-crud-auth (Graph Store Protocol, Digest as dba), /sparql-graph-crud (read).
set -euo pipefail

tmp_dir() { dirname "$(mktemp -u)"; }
ROOT=${VIRTUOSO_ROOT:-$(tmp_dir)/kg-virtuoso-$(id -u)}
DB=$ROOT/db
HTTP_PORT=${VIRTUOSO_HTTP_PORT:-28890}
SQL_PORT=${VIRTUOSO_SQL_PORT:-21111}
PASSWORD=${VIRTUOSO_DBA_PASSWORD:-dba}
URL=http://127.0.0.1:$HTTP_PORT

die() { echo "virtuoso.sh: $*" >&2; exit 1; }

# The server writes its pid into the lock file of the database folder while it runs.
server_pid() {
  local p
  p=$(sed -n 's/^VIRT_PID=//p' "$DB/virtuoso.lck" 2>/dev/null || true)
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo "$p"
  return 0
}

isql() { isql-vt "127.0.0.1:$SQL_PORT" dba "$1" "exec=$2" >/dev/null; }

online() { curl -sf -o /dev/null --max-time 2 "$URL/sparql?query=ASK%7B%7D"; }

write_ini() {
  # CaseMode=2: without it ASK answers a table instead of a boolean.
  # ResultSetMaxRows: the packaged 10,000 silently truncates CONSTRUCT and Graph Store GET.
  # DirsAllowed: the bulk loader may read only the private data folder.
  # TransactionAfterImageLimit: changing a million triples in one transaction (replacing a graph)
  # needs more than the default 50 MB of after-image, or the store aborts it (SR325).
  # MaxVectorSize: a Graph Store GET of more than 1,000,000 triples fails (FRVEC) at the default.
  # MaxSortedTopRows: a sorted query may ask for more than 10,000 rows (kg serve asks one row more
  # than its result limit, to tell a cut result), which the default refuses (SR353).
  cat >"$DB/virtuoso.ini" <<EOF
[Database]
DatabaseFile=virtuoso.db
ErrorLogFile=virtuoso.log
LockFile=virtuoso.lck
TransactionFile=virtuoso.trx
xa_persistent_file=virtuoso.pxa

[TempDatabase]
DatabaseFile=virtuoso-temp.db
TransactionFile=virtuoso-temp.trx

[Parameters]
ServerPort=127.0.0.1:$SQL_PORT
DisableUnixSocket=1
CaseMode=2
DirsAllowed=., $ROOT/data
TransactionAfterImageLimit=${VIRTUOSO_AFTER_IMAGE_LIMIT:-2000000000}
MaxVectorSize=${VIRTUOSO_MAX_VECTOR:-8000000}
NumberOfBuffers=${VIRTUOSO_BUFFERS:-100000}
MaxDirtyBuffers=${VIRTUOSO_DIRTY_BUFFERS:-75000}
MaxSortedTopRows=${VIRTUOSO_MAX_SORTED_TOP:-1000000}

[HTTPServer]
ServerPort=127.0.0.1:$HTTP_PORT
MaxClientConnections=8
ServerThreads=8

[SPARQL]
ResultSetMaxRows=10000000
EOF
}

case ${1:-} in
install)
  command -v virtuoso-t >/dev/null && exit 0
  [ "$(id -u)" -eq 0 ] || die "virtuoso-t is missing; run this as root (or scripts/system-deps.sh) to install it"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Keep the package's own system service from starting: the tests run a private instance.
  guard=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    guard=1; printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
  fi
  apt-get install -y -qq --no-install-recommends virtuoso-opensource curl >/dev/null
  [ -z "$guard" ] || rm -f /usr/sbin/policy-rc.d
  update-rc.d virtuoso-opensource-7 disable >/dev/null 2>&1 || true
  ;;
start)
  [ -n "$(server_pid)" ] && exit 0
  command -v virtuoso-t >/dev/null || die "virtuoso-t not found: run scripts/virtuoso.sh install (as root)"
  command -v curl >/dev/null || die "curl not found: run scripts/virtuoso.sh install (as root)"
  if curl -s -o /dev/null --max-time 2 "$URL/"; then
    die "port $HTTP_PORT on 127.0.0.1 is taken by another server; set VIRTUOSO_HTTP_PORT"
  fi
  mkdir -p "$DB" "$ROOT/data"
  fresh=; [ -f "$DB/virtuoso.db" ] || fresh=1
  rm -f "$DB/virtuoso.lck"
  write_ini
  # +wait: the command returns once the server is online (or has failed).
  if ! (cd "$DB" && virtuoso-t +configfile virtuoso.ini +wait >/dev/null 2>&1); then
    tail -n 20 "$DB/virtuoso.log" >&2 2>/dev/null || true
    die "the server did not start (log: $DB/virtuoso.log)"
  fi
  for _ in $(seq 100); do online && break; sleep 0.1; done
  online || { tail -n 20 "$DB/virtuoso.log" >&2; die "the server started but $URL/sparql does not answer"; }
  if [ -n "$fresh" ] && [ "$PASSWORD" != dba ]; then
    isql dba "USER_SET_PASSWORD('dba', '$PASSWORD');"
  fi
  ;;
stop)
  p=$(server_pid)
  [ -n "$p" ] || exit 0
  # A clean shutdown (checkpoint) through isql; a TERM signal if that is refused.
  isql-vt "127.0.0.1:$SQL_PORT" dba "$PASSWORD" -K >/dev/null 2>&1 || kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$p" 2>/dev/null || exit 0; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  ;;
status)
  p=$(server_pid)
  if [ -n "$p" ]; then echo "running $p $URL"; else echo stopped; exit 3; fi
  ;;
url)
  echo "$URL"
  ;;
*)
  sed -n '2,20s/^# \{0,1\}//p' "$0" >&2
  exit 2
  ;;
esac

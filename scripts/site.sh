#!/usr/bin/env bash
# Serve a site written by `kg publish` on 127.0.0.1 under its own rules, to see it as a web host
# will serve it: with a private nginx and .server/nginx.conf, or with --apache a private Apache
# and the site's .htaccess files (any folder with .htaccess rules, such as w3id.org's, works so).
# In the foreground: Ctrl-C (or SIGTERM) stops it. Its files (configuration, pid, logs) go in a
# folder of its own under ${TMPDIR:-/tmp}, removed when it stops. The site's rules are run as
# they are: serve only a site you published yourself.
#   usage: scripts/site.sh [--apache] SITE [PORT]   (PORT: 8080 by default)
set -euo pipefail
server=nginx
if [ "${1:-}" = "--apache" ]; then server=apache; shift; fi
if [ $# -lt 1 ] || [ ! -d "$1" ] || { [ $server = nginx ] && [ ! -f "$1/.server/nginx.conf" ]; }; then
  echo "usage: scripts/site.sh [--apache] SITE [PORT]: SITE is a folder written by kg publish --out SITE" >&2
  exit 2
fi
site=$(cd "$1" && pwd)
port=${2:-8080}
# the path the site is published under (kg publish --site-url), empty at the root of the host
prefix=$(sed -n 's/^ *"prefix": "\([^"]*\)",*$/\1/p' "$site/.server/published.json" 2>/dev/null || true)
run=$(mktemp -d "${TMPDIR:-/tmp}/kg-site.XXXXXX")
chmod 755 "$run"
child=
stop() { [ -z "$child" ] || kill -TERM "$child" 2>/dev/null || true; }
trap stop INT TERM
trap 'stop; wait 2>/dev/null; rm -rf "$run"' EXIT
as_root=$([ "$(id -u)" -eq 0 ] && echo 1 || true)

if [ $server = nginx ]; then
  nginx=$(command -v nginx || echo /usr/sbin/nginx)
  [ -x "$nginx" ] || { echo "site.sh: nginx is not installed (bash scripts/system-deps.sh installs it)" >&2; exit 2; }
  # the site's server block, listening here and reading the site where it is now
  sed -e "s|^    listen .*;|    listen 127.0.0.1:$port;|" -e "s|^    root .*;|    root $site;|" \
    -e "s|^        alias .*;|        alias $site/;|" "$site/.server/nginx.conf" >"$run/server.conf"
  cat >"$run/nginx.conf" <<CONF
${as_root:+user root;}
worker_processes 1;
pid $run/nginx.pid;
error_log $run/error.log;
events { worker_connections 256; }
http {
    access_log $run/access.log;
    client_body_temp_path $run/body;
    proxy_temp_path $run/proxy;
    fastcgi_temp_path $run/fastcgi;
    uwsgi_temp_path $run/uwsgi;
    scgi_temp_path $run/scgi;
    sendfile on;
    include $run/server.conf;
}
CONF
  command=("$nginx" -e "$run/error.log" -p "$run" -c "$run/nginx.conf" -g "daemon off;")
else
  apache=$(command -v apache2 || echo /usr/sbin/apache2)
  [ -x "$apache" ] || { echo "site.sh: Apache is not installed (apt-get install apache2)" >&2; exit 2; }
  modules=/usr/lib/apache2/modules
  docroot=$site alias=
  if [ -n "$prefix" ]; then  # the site at its path, nothing at the root
    docroot="$run/empty" alias="Alias \"$prefix\" \"$site\""
    mkdir -p "$docroot"
  fi
  cat >"$run/httpd.conf" <<CONF
ServerRoot $run
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile $run/httpd.pid
ErrorLog $run/error.log
LogFormat "%h %r %>s" short
CustomLog $run/access.log short
${as_root:+User nobody}
${as_root:+Group nogroup}
LoadModule mpm_event_module $modules/mod_mpm_event.so
LoadModule authz_core_module $modules/mod_authz_core.so
LoadModule dir_module $modules/mod_dir.so
LoadModule mime_module $modules/mod_mime.so
LoadModule rewrite_module $modules/mod_rewrite.so
LoadModule headers_module $modules/mod_headers.so
LoadModule alias_module $modules/mod_alias.so
LoadModule filter_module $modules/mod_filter.so
LoadModule deflate_module $modules/mod_deflate.so
TypesConfig /etc/mime.types
DocumentRoot "$docroot"
$alias
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "$site">
    AllowOverride FileInfo Indexes Options=FollowSymLinks
    Require all granted
</Directory>
CONF
  # started as root, Apache serves as nobody (it refuses root): the site must be readable by all
  command=("$apache" -f "$run/httpd.conf" -DFOREGROUND)
fi

echo "serving $site at http://127.0.0.1:$port${prefix}/ ($server)" >&2
"${command[@]}" &
child=$!
wait "$child"

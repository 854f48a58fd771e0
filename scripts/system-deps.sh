#!/usr/bin/env bash
# Install the Debian packages the test suite uses: rapper (raptor2-utils) to re-parse the
# dumps, Chromium (with Japanese fonts) for the browser tests, Virtuoso for the SPARQL store
# integration tests, Apache Jena (with a Java runtime) as a second SHACL engine that checks
# the published dumps against the published shapes, Node.js to run the README's JavaScript
# example on a framed dump, nginx and Apache to serve a site written by kg publish under its
# generated rules (scripts/site.sh).
# Services are not started here (scripts/virtuoso.sh starts a private instance).
set -euo pipefail
packages=(raptor2-utils chromium fonts-noto-cjk virtuoso-opensource curl libapache-jena-java default-jre-headless
          nodejs nginx apache2)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing Debian packages: ${missing[*]} (run this script as root to install them)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Keep the package's own system service from starting: tests run a private instance.
guard=
if [ ! -e /usr/sbin/policy-rc.d ]; then
  guard=1; printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
[ -z "$guard" ] || rm -f /usr/sbin/policy-rc.d
update-rc.d virtuoso-opensource-7 disable >/dev/null 2>&1 || true
update-rc.d nginx disable >/dev/null 2>&1 || true
update-rc.d apache2 disable >/dev/null 2>&1 || true

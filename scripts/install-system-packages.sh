#!/usr/bin/env bash
# Debian packages SIGAP's lab and tests need: OpenSSH's sshd (Linux lab hosts),
# FRRouting (the lab router), iproute2 (network namespaces), WeasyPrint's libraries
# and fonts (PDF reports), poppler-utils (reading the PDFs back in tests), Chromium and its
# WebDriver (the test of a manager answering a paused run in the Prefect UI, headless).
# Runs apt-get only when something is missing; needs root.
set -euo pipefail
need=()
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
[ -x /usr/lib/frr/zebra ] && command -v vtysh >/dev/null || need+=(frr)
command -v ip >/dev/null || need+=(iproute2)
command -v ssh-keygen >/dev/null || need+=(openssh-client)
command -v curl >/dev/null || need+=(curl)
# reports/: WeasyPrint's Pango and HarfBuzz libraries and a font; pdftotext for the report tests
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core; do
  installed "$pkg" || need+=("$pkg")
done
command -v pdftotext >/dev/null || need+=(poppler-utils)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "SIGAP needs these Debian packages: ${need[*]}" >&2
  echo "Run as root, or: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"

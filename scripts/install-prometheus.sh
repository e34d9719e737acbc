#!/usr/bin/env bash
# Installs Debian's `prometheus` package (2.42 on bookworm) for the tests that scrape an agent
# with a real Prometheus (telemetry's PrometheusScrapeIT). Idempotent: does nothing when
# /usr/bin/prometheus is already there.
#
# The tests start their own Prometheus on a loopback port with a temporary config and data dir;
# they never use the packaged service. So the package's service is kept from starting during the
# install (a temporary policy-rc.d, unless the machine already has one) and is stopped and
# disabled afterwards should it run anyway; recommends (prometheus-node-exporter, another
# service) are not installed.
set -euo pipefail

say() { printf 'install-prometheus: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ -x /usr/bin/prometheus ]; then
  say "already installed: $(/usr/bin/prometheus --version 2>&1 | head -n 1)"
  exit 0
fi
command -v apt-get >/dev/null || die "apt-get is needed (Debian or Ubuntu)"

policy=/usr/sbin/policy-rc.d
own_policy=0
cleanup() {
  if [ "$own_policy" = 1 ]; then sudo_if_needed rm -f "$policy"; fi
}
trap cleanup EXIT
if [ ! -e "$policy" ]; then
  # 101 = "action forbidden": invoke-rc.d (sysvinit) and deb-systemd-invoke then start nothing.
  printf '#!/bin/sh\nexit 101\n' | sudo_if_needed tee "$policy" >/dev/null
  sudo_if_needed chmod 755 "$policy"
  own_policy=1
fi

say "installing Debian's prometheus"
apt_get=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300)
sudo_if_needed "${apt_get[@]}" update -qq
sudo_if_needed "${apt_get[@]}" install -y -qq --no-install-recommends prometheus >/dev/null
[ -x /usr/bin/prometheus ] || die "apt-get finished but /usr/bin/prometheus is missing"

# Should the packaged service have started anyway, stop it and keep it from starting at boot, so
# nothing of ours holds port 9090.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
  sudo_if_needed systemctl disable --now prometheus >/dev/null 2>&1 || true
else
  if [ -x /etc/init.d/prometheus ]; then
    sudo_if_needed /etc/init.d/prometheus stop >/dev/null 2>&1 || true
  fi
  if command -v update-rc.d >/dev/null; then
    sudo_if_needed update-rc.d prometheus disable >/dev/null 2>&1 || true
  fi
fi
say "installed: $(/usr/bin/prometheus --version 2>&1 | head -n 1)"

#!/bin/bash
# Boots the real-client guest once against an SSTP server and prints its serial console (RESULT/LOG lines).
# Usage: run-vm.sh --target HOST:PORT --user U --password P [options]   (see README.md)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

target=127.0.0.1:443 user= pass= mode=direct sessions=1 timeout=300 connect_timeout=30 retries=3
ppp_opts= ppp_extra= sstpc_opts= steps="disconnect" log=
while (($#)); do
  case "$1" in
    --target) target="$2"; shift ;;
    --user) user="$2"; shift ;;
    --password) pass="$2"; shift ;;
    --mode) mode="$2"; shift ;;
    --sessions) sessions="$2"; shift ;;
    --ppp-opts) ppp_opts="$2"; shift ;;
    --ppp-extra) ppp_extra="$2"; shift ;;
    --sstpc-opts) sstpc_opts="$2"; shift ;;
    --steps) steps="$2"; shift ;;
    --timeout) timeout="$2"; shift ;;
    --connect-timeout) connect_timeout="$2"; shift ;;
    --connect-retries) retries="$2"; shift ;;
    --log) log="$2"; shift ;;
    -h|--help) sed -n '2,3p' "$0"; exit 0 ;;
    *) echo "run-vm: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

eval "$("$here/build-image.sh" | grep -E '^(KERNEL|INITRD)=')"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }   # single-quote for the guest's ash
mkdir "$tmp/overlay"
{
  echo "SSTP_USER=$(q "$user")"
  echo "SSTP_PASS=$(q "$pass")"
  echo "MODE=$(q "$mode")"
  echo "SESSIONS=$(q "$sessions")"
  echo "CONNECT_TIMEOUT=$(q "$connect_timeout")"
  echo "CONNECT_RETRIES=$(q "$retries")"
  [[ -n $ppp_opts ]] && echo "PPP_OPTS=$(q "$ppp_opts")"
  echo "PPP_EXTRA=$(q "$ppp_extra")"
  echo "SSTPC_OPTS=$(q "$sstpc_opts")"
  echo "STEPS=$(q "$steps")"
} >"$tmp/overlay/scenario.env"
(cd "$tmp/overlay" && echo scenario.env | cpio -o -H newc --quiet -R 0:0 | gzip) >"$tmp/scenario.cpio.gz"
cat "$INITRD" "$tmp/scenario.cpio.gz" >"$tmp/initrd"

cmd=(qemu-system-x86_64 -accel tcg -cpu max -m 256 -smp 1 -nodefaults -no-reboot -display none -monitor none
  -serial stdio -kernel "$KERNEL" -initrd "$tmp/initrd"
  -append "console=ttyS0 quiet loglevel=0 random.trust_cpu=on panic=-1"
  -netdev "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:443-cmd:socat - TCP:$target"
  -device virtio-net-pci,netdev=n0 -device virtio-rng-pci)
rc=0
if [[ -n $log ]]; then
  timeout -k 5 "$timeout" "${cmd[@]}" </dev/null | tr -d '\r' | tee "$log" || rc=$?
else
  timeout -k 5 "$timeout" "${cmd[@]}" </dev/null | tr -d '\r' || rc=$?
fi
exit $rc

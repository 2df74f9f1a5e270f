#!/bin/bash
# Builds the guest image for the real-client interop test: Debian bookworm's kernel (with PPP modules),
# busybox, pppd 2.4.9 and sstp-client 1.0.18 in an initramfs with the generic guest/init.
# Output (stdout, last two lines): KERNEL=<path> and INITRD=<path>. Progress goes to stderr.
# Cached under tests/Interop/.cache/image-<hash>, keyed by this script, guest/init and the exact package
# versions, so a change to any of them rebuilds and a second run is quick.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${INTEROP_CACHE:-$here/.cache}"
debs="$cache/debs"
log() { echo "build-image: $*" >&2; }

# Modules the guest loads (dependencies are added and ordered below): virtio networking and rng, PPP with MPPE.
modules=(virtio_net virtio_pci virtio-rng ppp_generic ppp_async ppp_synctty ppp_mppe)
# Root packages; their shared-library dependencies are resolved from the packages' Depends fields.
roots=(busybox-static ppp sstp-client libsstp-api-0 libc6)

# --- host tools ---------------------------------------------------------------------------------------------
need=()
for t in qemu-system-x86_64:qemu-system-x86 socat:socat cpio:cpio modinfo:kmod; do
  command -v "${t%%:*}" >/dev/null || need+=("${t#*:}")
done
if ((${#need[@]})); then
  [[ $(id -u) == 0 ]] || { log "missing host packages ${need[*]} and not root"; exit 1; }
  log "installing host packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 ||
    { apt-get update -qq >&2; apt-get install -y -qq --no-install-recommends "${need[@]}" >&2; }
fi

# --- resolve package versions -------------------------------------------------------------------------------
# The resolution (about 40 apt-cache calls, slow on a loaded machine) is cached per apt-lists state and script.
candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}'; }
lists_stamp() { stat -c %Y /var/lib/apt/lists/*_Packages* 2>/dev/null | sort -n | tail -1; }
stamp="$(lists_stamp)"
if [[ -z $stamp ]]; then log "apt lists missing: apt-get update"; apt-get update -qq >&2; stamp="$(lists_stamp)"; fi
mkdir -p "$cache"
resolved="$cache/resolved-$(sha256sum "$here/build-image.sh" | cut -c1-12)-$stamp.txt"
if [[ -s $resolved ]]; then
  mapfile -t versions <"$resolved"
else
  c="$(candidate sstp-client)"
  if [[ -z $c || $c == "(none)" ]]; then log "sstp-client not offered: apt-get update"; apt-get update -qq >&2; fi

  kpkg="$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-6\.1\.0-[0-9]+-amd64$/ {print $2; exit}')"
  [[ -n $kpkg ]] || { log "no linux-image-6.1.0-*-amd64 offered by apt"; exit 1; }

  # Breadth-first closure over Depends/Pre-Depends (first alternative), keeping library packages only.
  declare -A seen=()
  queue=("${roots[@]}")
  pkgs=()
  while ((${#queue[@]})); do
    p="${queue[0]}"; queue=("${queue[@]:1}")
    [[ -n ${seen[$p]:-} ]] && continue
    seen[$p]=1; pkgs+=("$p")
    deps="$(apt-cache show --no-all-versions "$p" 2>/dev/null | awk -F': ' '/^(Pre-)?Depends:/ {print $2}' | tr ',' '\n')"
    while IFS= read -r d; do
      d="${d%%|*}"; d="${d%%(*}"; d="${d%%:*}"; d="$(echo "$d" | tr -d ' ')"
      [[ $d =~ ^lib && ! $d =~ perl && ! $d =~ ^libpam-(modules|runtime) && ! $d =~ -common$ ]] && queue+=("$d")
    done <<<"$deps"
  done
  pkgs+=("$kpkg")

  versions=()
  for p in "${pkgs[@]}"; do versions+=("$p=$(candidate "$p")"); done
  rm -f "$cache"/resolved-*.txt
  printf '%s\n' "${versions[@]}" >"$resolved"
fi

key="$( { cat "$here/build-image.sh" "$here/guest/init"; printf '%s\n' "${versions[@]}" "${modules[@]}"; } | sha256sum | cut -c1-16)"
out="$cache/image-$key"
if [[ -f $out/initramfs.cpio.gz && -f $out/vmlinuz ]]; then
  log "cached: $out"
  echo "KERNEL=$out/vmlinuz"; echo "INITRD=$out/initramfs.cpio.gz"
  exit 0
fi

kpkg="${versions[-1]%%=*}"

# --- download -----------------------------------------------------------------------------------------------
mkdir -p "$debs"
missing=()
for pv in "${versions[@]}"; do
  p="${pv%%=*}"; v="${pv#*=}"; fv="${v//:/%3a}"
  compgen -G "$debs/${p}_${fv}_*.deb" >/dev/null || missing+=("$pv")
done
if ((${#missing[@]})); then
  log "downloading ${#missing[@]} packages"
  (cd "$debs" && apt-get download -q -o APT::Sandbox::User=root "${missing[@]}" >&2)
fi

# --- stage --------------------------------------------------------------------------------------------------
work="$(mktemp -d "$cache/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
stage="$work/stage"; root="$work/root"
mkdir -p "$stage" "$root"
for pv in "${versions[@]}"; do
  p="${pv%%=*}"; v="${pv#*=}"; fv="${v//:/%3a}"
  f=$(compgen -G "$debs/${p}_${fv}_*.deb" | head -1)
  dpkg-deb -x "$f" "$stage"
done

kver="$(ls "$stage/lib/modules" | head -1)"
[[ -n $kver ]] || { log "kernel package has no modules"; exit 1; }

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib64,lib/x86_64-linux-gnu,usr/lib/x86_64-linux-gnu,etc/ppp,proc,sys,dev,run,tmp,root,lib/modules/guest}
mkdir -p "$root/var"; ln -s /run "$root/var/run"

# busybox provides the shell and every tool the guest script uses.
cp "$stage/bin/busybox" "$root/bin/busybox"
for a in $("$root/bin/busybox" --list-full); do
  [[ -e $root/$a ]] || ln -s /bin/busybox "$root/$a"
done

cp "$stage/usr/sbin/pppd" "$stage/usr/sbin/sstpc" "$root/usr/sbin/"
plugdir="$(cd "$stage" && ls -d usr/lib/pppd/*/ | head -1)"
mkdir -p "$root/$plugdir"
cp "$stage/$plugdir/sstp-pppd-plugin.so" "$root/$plugdir/"
# OpenSSL 3's legacy provider: sstpc needs MD4 for MS-CHAPv2 and stops without it.
legacy="$(cd "$stage" && find . -path '*ossl-modules/legacy.so' | head -1)"
[[ -n $legacy ]] || { log "no OpenSSL legacy provider in the staged packages"; exit 1; }
mkdir -p "$root/$(dirname "$legacy")"; cp "$stage/$legacy" "$root/$legacy"

# Shared libraries, resolved by the staged loader itself.
ldso="$stage/lib64/ld-linux-x86-64.so.2"
libpath="$stage/lib/x86_64-linux-gnu:$stage/usr/lib/x86_64-linux-gnu"
cp -L "$ldso" "$root/lib64/ld-linux-x86-64.so.2"
for b in usr/sbin/pppd usr/sbin/sstpc "$plugdir/sstp-pppd-plugin.so" "$legacy"; do
  listing="$("$ldso" --library-path "$libpath" --list "$stage/$b")"
  if grep -q 'not found' <<<"$listing"; then log "unresolved libraries for $b:"; grep 'not found' <<<"$listing" >&2; exit 1; fi
  while read -r lib; do
    rel="${lib#"$stage"/}"
    [[ $rel == "$lib" ]] && continue  # the loader itself or vdso
    mkdir -p "$root/$(dirname "$rel")"; cp -L "$lib" "$root/$rel"
  done < <(awk '/=>/ {print $3}' <<<"$listing")
done

# Kernel modules in dependency order.
moddir="$stage/lib/modules/$kver"
declare -A modfile=() loaded=()
while IFS= read -r f; do n="$(basename "$f")"; n="${n%%.ko*}"; modfile[${n//-/_}]="$f"; done < <(find "$moddir" -name '*.ko*')
order=()
addmod() {
  local n="${1//-/_}" d
  [[ -n ${loaded[$n]:-} ]] && return 0
  [[ -n ${modfile[$n]:-} ]] || { log "module $n not in $kpkg"; exit 1; }
  loaded[$n]=1
  for d in $(modinfo -F depends "${modfile[$n]}" | tr ',' ' '); do addmod "$d"; done
  order+=("$n")
}
for m in "${modules[@]}"; do addmod "$m"; done
for n in "${order[@]}"; do
  f="${modfile[$n]}"
  case "$f" in
    *.ko.xz) xz -dc "$f" >"$root/lib/modules/guest/$n.ko" ;;
    *.ko.zst) zstd -qdc "$f" >"$root/lib/modules/guest/$n.ko" ;;
    *) cp "$f" "$root/lib/modules/guest/$n.ko" ;;
  esac
  echo "$n" >>"$root/lib/modules/guest/order"
done

printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
: >"$root/etc/ppp/options"
printf '%s\n' "${versions[@]}" >"$root/etc/interop-packages"
echo "$kver" >"$root/etc/interop-kernel"
install -m 0755 "$here/guest/init" "$root/init"

mkdir -p "$out.tmp"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -9 >"$out.tmp/initramfs.cpio.gz"
cp "$stage/boot/vmlinuz-$kver" "$out.tmp/vmlinuz"
printf '%s\n' "${versions[@]}" >"$out.tmp/packages.txt"
rm -rf "$out"; mv "$out.tmp" "$out"
# Keep only the newest image.
for old in "$cache"/image-*; do [[ $old == "$out" ]] || rm -rf "$old"; done
log "built $out (kernel $kver, initramfs $(du -h "$out/initramfs.cpio.gz" | cut -f1))"
echo "KERNEL=$out/vmlinuz"; echo "INITRD=$out/initramfs.cpio.gz"

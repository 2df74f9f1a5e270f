#!/usr/bin/env bash
# Offline validation of the deployment files: k8s/ manifests and scripts/host-check. Needs no cluster and no network
# (NuGet packages must already be restored for the xunit part).
#   tests/Ops/validate.sh [--no-dotnet]
#     --no-dotnet   skip the xunit manifest tests (Gateway.Tests.Ops)
# Exits non-zero when a check fails.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

run_dotnet=1
[ "${1:-}" = --no-dotnet ] && run_dotnet=0
failures=0
pass() { echo "PASS  $1"; }
fail() { echo "FAIL  $1"; failures=$((failures + 1)); }
skip() { echo "SKIP  $1"; }

# 1. Every YAML file parses; every document has apiVersion, kind and metadata.name.
if command -v python3 >/dev/null 2>&1 && python3 -c 'import yaml' 2>/dev/null; then
  if out=$(python3 - <<'PY' 2>&1
import glob, sys, yaml
bad = []
for path in sorted(glob.glob("k8s/*.yaml")):
    with open(path) as f:
        for i, doc in enumerate(yaml.safe_load_all(f)):
            if doc is None:
                continue
            meta = doc.get("metadata") or {}
            if not doc.get("apiVersion") or not doc.get("kind") or not meta.get("name"):
                bad.append(f"{path} document {i}: apiVersion/kind/metadata.name missing")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
  ); then pass "k8s/*.yaml parse; apiVersion, kind, metadata.name everywhere"; else fail "k8s/*.yaml: $out"; fi
else
  skip "YAML parse (python3-yaml not installed; the xunit tests parse them too)"
fi

# 2. kustomization.yaml lists exactly the manifests in k8s/.
listed=$(sed -n '/^resources:/,/^[a-z]/p' k8s/kustomization.yaml | sed -n 's/^  - //p' | sort)
present=$(cd k8s && ls *.yaml | grep -v '^kustomization.yaml$' | sort)
if [ "$listed" = "$present" ]; then pass "kustomization.yaml lists every manifest"; else
  fail "kustomization.yaml resources differ from k8s/*.yaml: $(diff <(echo "$listed") <(echo "$present") | grep '^[<>]' | tr '\n' ' ')"
fi

# 3. kustomize renders (kubectl's built-in kustomize, or a standalone kustomize).
if command -v kubectl >/dev/null 2>&1; then render=(kubectl kustomize k8s)
elif command -v kustomize >/dev/null 2>&1; then render=(kustomize build k8s)
else render=(); fi
if [ ${#render[@]} -gt 0 ]; then
  if out=$("${render[@]}" 2>&1); then
    if grep -q '^kind: Deployment' <<<"$out" && grep -q 'namespace: sstp-gateway' <<<"$out"; then
      pass "${render[*]} renders ($(grep -c '^kind:' <<<"$out") objects)"
    else fail "${render[*]}: rendered output lacks the Deployment or the namespace"; fi
  else fail "${render[*]}: $out"; fi
else
  skip "kustomize render (neither kubectl nor kustomize installed)"
fi

# 4. scripts/host-check is valid bash, rejects bad arguments, and runs here.
if bash -n scripts/host-check; then pass "scripts/host-check: bash syntax"; else fail "scripts/host-check: bash syntax"; fi
if command -v shellcheck >/dev/null 2>&1; then
  if shellcheck -S warning scripts/host-check tests/Ops/validate.sh; then pass "shellcheck"; else fail "shellcheck"; fi
else
  skip "shellcheck (not installed)"
fi
scripts/host-check --sessions x >/dev/null 2>&1
if [ $? -eq 2 ]; then pass "scripts/host-check --sessions x exits 2"; else fail "scripts/host-check --sessions x should exit 2"; fi
out=$(scripts/host-check --sessions 10 2>&1); rc=$?
if grep -Eq '^(OK|WARN|FAIL) +tun ' <<<"$out" && grep -q '^host-check: [0-9]* FAIL' <<<"$out"; then
  pass "scripts/host-check runs (exit $rc): $(tail -n 1 <<<"$out")"
else fail "scripts/host-check output unexpected: $out"; fi

# 5. The manifest tests (YamlDotNet; configuration keys checked against the gateway's options classes).
if [ $run_dotnet = 1 ]; then
  if command -v dotnet >/dev/null 2>&1; then
    if dotnet test tests/Gateway.Tests --nologo -v q --filter "FullyQualifiedName~Gateway.Tests.Ops"; then
      pass "dotnet test Gateway.Tests.Ops"
    else fail "dotnet test Gateway.Tests.Ops"; fi
  else
    skip "dotnet test (no dotnet on PATH)"
  fi
fi

echo "validate: $failures failed"
[ "$failures" -eq 0 ]

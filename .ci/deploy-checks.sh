#!/usr/bin/env bash
# Shell-level checks of deploy/ (the JUnit DeployFilesTest checks the manifests' content):
#   bash -n     every *.sh under deploy/ and .ci/, and the bash scripts without the suffix there
#   lint        ShellCheck on the same files; when it is missing it is installed with apt-get (as
#               root, unless DEPLOY_CHECKS_INSTALL=0), and a check without ShellCheck FAILS: unlinted
#               scripts never pass as checked
#   py_compile  every *.py under deploy/ (the Airflow DAG; Airflow itself is not needed)
#   json        every *.json under deploy/
# Usage: .ci/deploy-checks.sh [REPO_ROOT]   (default: the repository holding this script)
# Exit: 0 all checks passed, 1 some failed (each failure is printed with its file).
set -euo pipefail

root="$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/..}" && pwd)"
failures=0
fail() { echo "deploy-checks: FAIL $*" >&2; failures=$((failures + 1)); }

shell_scripts=()
while IFS= read -r -d '' file; do
  shell_scripts+=("$file")
done < <(find "$root/deploy" "$root/.ci" -type f -name '*.sh' -print0 2>/dev/null | sort -z)
while IFS= read -r -d '' file; do
  if head -n 1 "$file" | grep -Eq '^#!.*\bbash\b'; then shell_scripts+=("$file"); fi
done < <(find "$root/deploy" "$root/.ci" -type f ! -name '*.*' -print0 2>/dev/null | sort -z)

if [ ${#shell_scripts[@]} -eq 0 ]; then
  fail "no shell scripts found under $root/deploy or $root/.ci"
fi
for script in "${shell_scripts[@]}"; do
  bash -n "$script" || fail "bash -n ${script#"$root"/}"
done

if ! command -v shellcheck >/dev/null 2>&1 && [ "${DEPLOY_CHECKS_INSTALL:-1}" != 0 ] \
    && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "deploy-checks: installing shellcheck with apt-get" >&2
  apt_log="$(mktemp)"
  if ! { apt-get install -y -qq shellcheck || { apt-get update -qq && apt-get install -y -qq shellcheck; }; } >"$apt_log" 2>&1; then
    tail -n 5 "$apt_log" >&2
  fi
  rm -f "$apt_log"
fi
if command -v shellcheck >/dev/null 2>&1; then
  for script in "${shell_scripts[@]}"; do
    shellcheck --shell=bash "$script" || fail "shellcheck ${script#"$root"/}"
  done
else
  fail "shellcheck is not installed, so ${#shell_scripts[@]} shell scripts were not linted; install it (apt-get install shellcheck)" \
    "or run as root with apt-get available and DEPLOY_CHECKS_INSTALL unset"
fi

if command -v python3 >/dev/null 2>&1; then
  pycache="$(mktemp -d)"
  while IFS= read -r -d '' file; do
    # The byte code goes to a temporary folder, not into deploy/.
    PYTHONPYCACHEPREFIX="$pycache" python3 -m py_compile "$file" || fail "py_compile ${file#"$root"/}"
  done < <(find "$root/deploy" -type f -name '*.py' -print0 | sort -z)
  while IFS= read -r -d '' file; do
    python3 -m json.tool "$file" >/dev/null || fail "json ${file#"$root"/}"
  done < <(find "$root/deploy" -type f -name '*.json' -print0 | sort -z)
  rm -rf "$pycache"
else
  fail "python3 is not installed: the Airflow DAG and the JSON files were not checked"
fi

if [ "$failures" -gt 0 ]; then
  echo "deploy-checks: $failures check(s) failed" >&2
  exit 1
fi
echo "deploy-checks: ${#shell_scripts[@]} shell scripts, the DAG and the JSON files under deploy/ pass" >&2

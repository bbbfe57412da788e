#!/usr/bin/env bash
# The step behind action.yml: get a token with clauth, mask it, and hand it to the job as the
# step output `token` and, when asked, an environment variable for later steps.
#
# Inputs come as environment variables (action.yml maps them, so no input is ever pasted into
# a script or a command line): INPUT_ISSUER, INPUT_CLIENT_ID, INPUT_CLIENT_SECRET,
# INPUT_SCOPE, INPUT_AUDIENCE, INPUT_OUTPUT_ENV_VAR, INPUT_SUBJECT_TOKEN_FROM,
# INPUT_GITHUB_AUDIENCE. GitHub sets GITHUB_OUTPUT, GITHUB_ENV, RUNNER_TEMP and, in jobs with
# `permissions: id-token: write`, ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN. CLAUTH_MAIN may name
# clauth's main.ts (default: the one in this checkout). Exit codes are clauth's.
set -euo pipefail

# A value in a workflow command, escaped as the runner unescapes it (%, CR, LF): a value built
# from event data (a branch name, a PR title) cannot end the command line and start another.
escape() {
  local value="$1"
  value="${value//[%]/%25}"
  value="${value//$'\r'/%0D}"
  value="${value//$'\n'/%0A}"
  printf '%s' "$value"
}

fail() {
  echo "::error title=clauth::$(escape "$*")"
  exit 2
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
main="${CLAUTH_MAIN:-$root/main.ts}"
# The step inherits the job's environment: a job-level CLAUTH_CLIENT_SECRET, CLAUTH_SCOPE,
# CLAUTH_PROFILE, CLAUTH_TIMEOUT... would silently change what the inputs ask for (an empty
# client-secret input would use the job's secret). Only the inputs decide, so clear them all
# (env + sed, not compgen or ${!prefix@}: portable to macOS's bash 3.2).
for name in $(env | sed -n 's/^\(CLAUTH_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$name"; done

[ -n "${INPUT_ISSUER:-}" ] || fail "the issuer input is required"
[ -n "${INPUT_CLIENT_ID:-}" ] || fail "the client-id input is required"
[ -n "${GITHUB_OUTPUT:-}" ] || fail "GITHUB_OUTPUT is not set: this script runs as an Actions step"
env_var="${INPUT_OUTPUT_ENV_VAR:-}"
if [ -n "$env_var" ]; then
  [[ "$env_var" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] ||
    fail "output-env-var must be an environment variable name, not \"$env_var\""
  [ -n "${GITHUB_ENV:-}" ] || fail "GITHUB_ENV is not set: cannot export $env_var"
fi

args=()
case "${INPUT_SUBJECT_TOKEN_FROM:-}" in
  "")
    # clauth token has no audience option: an audience is asked for through an exchange.
    [ -z "${INPUT_AUDIENCE:-}" ] ||
      fail "the audience input needs subject-token-from (client credentials take scope only)"
    args+=(token --flow client-credentials)
    ;;
  github-actions)
    args+=(exchange --subject-token-from github-actions)
    if [ -n "${INPUT_GITHUB_AUDIENCE:-}" ]; then
      args+=(--github-audience "$INPUT_GITHUB_AUDIENCE")
    fi
    # One or more audiences, separated by commas, spaces or lines.
    IFS=$', \t\n' read -r -d '' -a audiences <<<"${INPUT_AUDIENCE:-}" || true
    for audience in ${audiences[@]+"${audiences[@]}"}; do args+=(--audience "$audience"); done
    ;;
  *) fail "subject-token-from must be github-actions or empty, not \"$INPUT_SUBJECT_TOKEN_FROM\"" ;;
esac
if [ -n "${INPUT_SCOPE:-}" ]; then args+=(--scope "$INPUT_SCOPE"); fi

# Identity and secret through the environment only: argv is visible to every process.
export CLAUTH_ISSUER="$INPUT_ISSUER" CLAUTH_CLIENT_ID="$INPUT_CLIENT_ID" NO_COLOR=1
if [ -n "${INPUT_CLIENT_SECRET:-}" ]; then export CLAUTH_CLIENT_SECRET="$INPUT_CLIENT_SECRET"; fi
unset INPUT_CLIENT_SECRET
# Config and token cache of this step alone: runner homes may be shared (self-hosted), and the
# token must not outlive the job.
temp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
if command -v cygpath >/dev/null 2>&1; then temp="$(cygpath -u "$temp")"; fi
work="$(mktemp -d "$temp/clauth.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export CLAUTH_CONFIG_DIR="$work/config" CLAUTH_STATE_DIR="$work/state"
mkdir -p "$CLAUTH_CONFIG_DIR"

set +e
token="$(deno run --quiet --no-prompt --config "$(dirname "$main")/deno.json" \
  --allow-net --allow-env --allow-read --allow-write "$main" "${args[@]}")"
status=$?
set -e
if [ "$status" -ne 0 ]; then
  echo "::error title=clauth::$(escape "clauth ${args[0]} failed with exit code $status (message above)")"
  exit "$status"
fi
if [ -z "$token" ] || [[ "$token" =~ [[:space:]] ]]; then
  fail "clauth printed no single token"
fi

# Masked before anything else can print it.
echo "::add-mask::$(escape "$token")"
echo "token=$token" >>"$GITHUB_OUTPUT"
if [ -n "$env_var" ]; then echo "$env_var=$token" >>"$GITHUB_ENV"; fi
echo "clauth: token ready in the step output \"token\"${env_var:+ and in \$$env_var}"

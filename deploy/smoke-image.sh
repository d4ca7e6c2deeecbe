#!/usr/bin/env bash
# Builds Vigil's image and shows the all-in-one demo working: `--help`, then `vigil run` with no
# config (embedded broker + simulated pumps + starter model, state in a fresh /data volume)
# answering /healthz, /readyz and /metrics on the host network, and stopping cleanly (exit 0) on
# SIGTERM from `stop`. Exits non-zero at the first failure. (`npm run test:image` checks the
# compose setup: mosquitto with logins, a trained model, `vigil simulate`, an alert.)
#
#   deploy/smoke-image.sh                     podman (docker works too: CONTAINER_CLI=docker)
#   SKIP_BUILD=1 deploy/smoke-image.sh        reuse the image
# On the project's build machines (no Docker engine; see deploy/README.md):
#   source ../shared/scripts/container-env.sh
#   CONTAINER_CLI="podman --runtime runc" BUILD_FLAGS="--network host -v /etc/ssl/certs:/etc/ssl/certs:ro \
#     --build-arg NPM_CONFIG_CAFILE=/etc/ssl/certs/ca-certificates.crt" deploy/smoke-image.sh
# Needs port 9464 (health) free on the host, and curl. (The embedded broker takes 1883, or any free
# port when a host mosquitto holds 1883.)
set -euo pipefail
cd "$(dirname "$0")/.."

CLI=${CONTAINER_CLI:-podman}
IMAGE=${IMAGE:-localhost/vigil:smoke}
NAME=vigil-smoke-$$
VOLUME=vigil-smoke-state-$$
HEALTH=http://127.0.0.1:9464

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
cleanup() { $CLI rm -f "$NAME" >/dev/null 2>&1 || true; $CLI volume rm -f "$VOLUME" >/dev/null 2>&1 || true; }
trap cleanup EXIT

if [ -z "${SKIP_BUILD:-}" ]; then
  step "build $IMAGE"
  # --format docker: podman's default OCI format drops HEALTHCHECK (docker builds keep it anyway).
  format=""; case "$CLI" in *podman*) format="--format docker" ;; esac
  # shellcheck disable=SC2086  # BUILD_FLAGS is a list of flags
  $CLI build $format ${BUILD_FLAGS:-} -t "$IMAGE" . >/tmp/vigil-smoke-build.log 2>&1 || { tail -30 /tmp/vigil-smoke-build.log; fail "build (log: /tmp/vigil-smoke-build.log)"; }
fi
$CLI image inspect "$IMAGE" --format 'image {{.Id}}: {{.Size}} bytes' | cut -c1-120

step "--help"
$CLI run --rm --network host "$IMAGE" --help >/tmp/vigil-smoke-help.txt || fail "--help exited $?"
grep -q '^  run \[options\]' /tmp/vigil-smoke-help.txt || fail "--help does not list the run command"
head -3 /tmp/vigil-smoke-help.txt

step "run --duration-seconds 60 (first start trains the starter model)"
if (exec 3<>"/dev/tcp/127.0.0.1/9464") 2>/dev/null; then fail "port 9464 is in use on the host"; fi
$CLI run -d --name "$NAME" --network host -v "$VOLUME:/data" "$IMAGE" run --duration-seconds 60 >/dev/null
started=$(date +%s)
until curl -fsS "$HEALTH/healthz" >/dev/null 2>&1; do
  [ "$($CLI inspect "$NAME" --format '{{.State.Running}}')" = true ] || { $CLI logs "$NAME" | tail -20; fail "container exited before /healthz answered"; }
  [ $(( $(date +%s) - started )) -lt 120 ] || fail "/healthz did not answer within 120 s"
  sleep 1
done
echo "/healthz answered $(( $(date +%s) - started )) s after start: $(curl -fsS "$HEALTH/healthz")"
echo "/readyz meanwhile: $(curl -sS "$HEALTH/readyz")"
# /healthz answers from the first second; /readyz once the starter model is trained and the pipeline runs.
until curl -fsS "$HEALTH/readyz" >/dev/null 2>&1; do
  [ $(( $(date +%s) - started )) -lt 120 ] || fail "/readyz not ready within 120 s: $(curl -sS "$HEALTH/readyz")"
  sleep 1
done
echo "/readyz ready $(( $(date +%s) - started )) s after start: $(curl -sS "$HEALTH/readyz")"
sleep 5
readings=$(curl -fsS "$HEALTH/metrics" | awk '$1 == "vigil_readings_total" { print $2 }')
echo "/metrics: vigil_readings_total $readings"
[ "${readings:-0}" -gt 0 ] || fail "no readings counted: the simulator's messages did not reach the pipeline"
case "$CLI" in *podman*) $CLI healthcheck run "$NAME" && echo "image HEALTHCHECK: healthy" ;; esac

step "stop (SIGTERM)"
t0=$(date +%s%N)
$CLI stop -t 15 "$NAME" >/dev/null
echo "stopped in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
code=$($CLI inspect "$NAME" --format '{{.State.ExitCode}}')
$CLI logs "$NAME" 2>&1 | grep -E '"msg":"(shutting down|stopped|shutdown complete)"' | cut -c1-200
[ "$code" = 0 ] || fail "exit code $code after SIGTERM (137: it was killed)"
echo "exit code 0"
printf '\nsmoke test passed\n'

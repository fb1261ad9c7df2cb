#!/usr/bin/env bash
# Start the web server and one real Celery worker (both queues) on the embedded defaults;
# Ctrl-C stops both.
set -euo pipefail
host=${1:-127.0.0.1}
port=${2:-8000}
bin=.venv/bin
pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT
# Threads: the model is loaded once per process and shared; the default queue's tasks are
# short. A GPU node runs `celery -A config worker -Q gpu -P solo` instead.
# Web and worker share this machine's cores: two one-thread forward passes waste less CPU than
# one two-thread pass, and a one-thread pass costs the same per image at 64 images as at 32,
# so batches may be twice as large (docs/performance.md). A dedicated GPU node keeps the defaults.
INFERENCE_TORCH_THREADS="${INFERENCE_TORCH_THREADS:-1}" DEMO_FORWARD_PASSES="${DEMO_FORWARD_PASSES:-2}" \
DEMO_MAX_BATCH_IMAGES="${DEMO_MAX_BATCH_IMAGES:-64}" \
"$bin/celery" -A config worker -Q default,gpu -P threads -c 4 -l info -n "local@%h" \
  -B --schedule var/celerybeat-schedule &
pids+=($!)
"$bin/python" manage.py runserver --noreload "$host:$port" &
pids+=($!)
wait -n

#!/usr/bin/env bash
# The main job on the embedded defaults: SQLite records database, the local lab of
# SSH devices, the lab's inventory and office configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export PREFECT_SERVER_ANALYTICS_ENABLED=false
DATA_DIR="$(python -c 'from sigap.settings import load_settings; print(load_settings().data_dir)')"
LAB="$DATA_DIR/lab"

echo "== 1. records database"
sigap init
echo "== 2. local lab of SSH devices"
sigap lab up
echo "== 3. the lab's inventory"
sigap inventory check "$LAB/inventory"
echo "== 4. the office configuration"
sigap office check "$LAB/office.yaml"
sigap people list --office "$LAB/office.yaml"
echo "== 5. the office's SOPs"
sigap sop list --office "$LAB/office.yaml"
sigap sop show A --office "$LAB/office.yaml"
echo "== 6. a local Prefect server"
export PREFECT_API_URL="${PREFECT_API_URL:-http://127.0.0.1:4200/api}"
if ! curl -fsS "$PREFECT_API_URL/health" >/dev/null 2>&1; then
  # SIGAP's server settings (batched event writes), see deployments/server.env
  (set -a; source deployments/server.env; set +a
   prefect server start --background --host 127.0.0.1 --port 4200 >/dev/null)
  for _ in $(seq 60); do
    curl -fsS "$PREFECT_API_URL/health" >/dev/null 2>&1 && break
    sleep 1
  done
fi
curl -fsS "$PREFECT_API_URL/health" >/dev/null
echo "Prefect API: $PREFECT_API_URL"
echo "== 7. collect facts, health and configs from every lab device"
set -a; source "$LAB/lab.env"; set +a
sigap collect --inventory "$LAB/inventory" --office "$LAB/office.yaml" \
  || echo "(some devices are not ok: see their outcome above)"
cat <<MSG

SIGAP is set up. Data directory: $DATA_DIR
  lab devices:     sigap lab status      (stop them: sigap lab down)
  lab password:    source $LAB/lab.env   (needed to log in to the lab devices)
  inventory:       $LAB/inventory
  office config:   $LAB/office.yaml
  Prefect UI:      ${PREFECT_API_URL%/api}   (stop it: prefect server stop)
  collect again:   PREFECT_API_URL=$PREFECT_API_URL sigap collect -i $LAB/inventory
MSG

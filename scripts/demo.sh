#!/usr/bin/env bash
# The main job on the embedded defaults: SQLite records database, the local lab of
# SSH devices, the lab's inventory and office configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export PREFECT_SERVER_ANALYTICS_ENABLED=false
DATA_DIR="$(python -c 'from config.settings import load_settings; print(load_settings().data_dir)')"
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
# a fresh shell's sigap commands use this server while it answers (sigap/prefect_server.py)
echo "$PREFECT_API_URL" >"$DATA_DIR/prefect-api.url"
echo "== 7. serve the SOP deployments (SOP A: pemeliharaan-jaringan-bulanan)"
set -a; source "$LAB/lab.env"; set +a
export SIGAP_INVENTORY="$LAB/inventory" SIGAP_OFFICE="$LAB/office.yaml"
# the report files over HTTP, so the Prefect UI's artifacts open them (docs/reports.md)
REPORTS_PID="$DATA_DIR/report-serve.pid"
if ! { [ -f "$REPORTS_PID" ] && kill -0 "$(cat "$REPORTS_PID")" 2>/dev/null; }; then
  mkdir -p "$DATA_DIR/reports"
  nohup sigap report serve --port 4201 --dir "$DATA_DIR/reports" >"$DATA_DIR/report-serve.log" 2>&1 &
  echo $! >"$REPORTS_PID"
fi
export SIGAP_REPORTS_URL="http://127.0.0.1:4201/"
SERVE_PID="$DATA_DIR/serve.pid"
if ! { [ -f "$SERVE_PID" ] && kill -0 "$(cat "$SERVE_PID")" 2>/dev/null; }; then
  nohup sigap serve --office "$LAB/office.yaml" >"$DATA_DIR/serve.log" 2>&1 &
  echo $! >"$SERVE_PID"
fi
for _ in $(seq 60); do
  python - <<'PY' 2>/dev/null && break
from prefect.client.orchestration import get_client
with get_client(sync_client=True) as client:
    client.read_deployment_by_name("network-maintenance/pemeliharaan-jaringan-bulanan")
PY
  sleep 1
done
echo "== 8. run SOP A for this month over the lab: disposisi, collection and checklist, report"
sigap run maintenance | tee "$DATA_DIR/last-run.txt"
RUN_ID="$(sed -n 's/^started flow run \([0-9a-f-]*\).*/\1/p' "$DATA_DIR/last-run.txt")"
echo "waiting for the run to reach step 5 (the Kasubag's review) ..."
for _ in $(seq 180); do
  sigap approvals list --json | grep -q "\"run\": \"$RUN_ID\"" && break
  python - "$RUN_ID" <<'PY' 2>/dev/null && break  # or the month's run had already ended
import sys, uuid
from prefect.client.orchestration import get_client
with get_client(sync_client=True) as client:
    sys.exit(0 if client.read_flow_run(uuid.UUID(sys.argv[1])).state.is_final() else 1)
PY
  sleep 1
done
sigap approvals list --office "$LAB/office.yaml"
UI="${PREFECT_API_URL%/api}"
if sigap approvals list --json | grep -q "\"run\": \"$RUN_ID\""; then
  STATE="SOP A for this month is waiting for a decision (see the list above)"
else
  STATE="this month's SOP A run had already been decided, so this run only confirmed it;
try another month: sigap run maintenance --month 2026-10"
fi
cat <<MSG

SIGAP is set up; $STATE.
Data directory: $DATA_DIR
  the run:         $UI/v2/runs/flow-run/$RUN_ID
  your inbox:      $UI/v2/runs  filtered by the tag menunggu:kasubag (menunggu:<role>)
  report files:    $DATA_DIR/reports/      (also as artifacts in the Prefect UI, served at $SIGAP_REPORTS_URL)
  approve in the UI: open the run, "Resume" (its ⋮ menu), fill in Keputusan, Username, Kode
  approve here:    source .venv/bin/activate
                   sigap approve $RUN_ID --decision setuju --as rahmat   (Kasubag, demo code: demo-rahmat)
                   then step 6 --as yusuf (Kabag, demo-yusuf), step 7 --as fatimah (Kadivmin, demo-fatimah)
                   (the lab's office has the documented demo codes demo-<username>)
  lab devices:     sigap lab status      (stop them: sigap lab down)
  office config:   $LAB/office.yaml
  stop serving:    kill \$(cat $SERVE_PID) \$(cat $REPORTS_PID); prefect server stop
MSG

#!/usr/bin/env bash
# Re-makes samples/tiny-lm: trains the byte-level LM with Debian's PyTorch, builds model.onnx with decoder-graph.ts,
# and verifies it in onnxruntime-node against torch. Needs: apt-get install -y python3-torch libopenblas0-pthread
# Usage: scripts/lm/make-tiny-lm.sh [WORK_DIR] [extra train.py options, e.g. --steps 2000 --minutes 45]
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK="${1:-$(mktemp -d -t tiny-lm-XXXXXX)}"
shift || true
/usr/bin/python3 -c 'import torch' || { echo "install Debian's PyTorch: apt-get install -y python3-torch libopenblas0-pthread" >&2; exit 1; }
/usr/bin/python3 scripts/lm/train.py "$WORK" "$@"
node --import tsx scripts/lm/make-fixture.ts "$WORK" samples/tiny-lm
echo "weights and torch reference figures kept in $WORK"

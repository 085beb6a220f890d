#!/bin/bash
# compare.sh: the service against a bare SDK echo handler, plaintext and safe
# mode, one question (血常规多少钱) and the demo dialogues' messages
# (questions.txt), 32 connections, DUR each (default 10s). Builds both from the
# working tree, runs each server in a fresh temporary folder (demo mode:
# embedded store, outbox) and stops them at the end. Linux only (reads /proc).
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR=${DUR:-10s}
KEY=6D1N6og36xIaB48eo8WzMiyz9mlxxpIVgvEcDOFSsVI   # any 43-character EncodingAESKey
BIN=$(mktemp -d)
go build -o "$BIN/wxbot" . && go build -o "$BIN/loadtool" ./tools/load
T=$PWD/tools/load/questions.txt
D1=$(mktemp -d) D2=$(mktemp -d)
(cd "$D1" && WXBOT_LOG_LEVEL=warn WXBOT_SERVER_ADDR=127.0.0.1:18090 exec "$BIN/wxbot" serve >"$D1/log" 2>&1) & P1=$!
(cd "$D2" && WXBOT_LOG_LEVEL=warn WXBOT_WECHAT_ENCODING_AES_KEY=$KEY WXBOT_WECHAT_APP_ID=wxdemo WXBOT_WECHAT_OUTBOX=true \
	WXBOT_SERVER_ADDR=127.0.0.1:18091 exec "$BIN/wxbot" serve >"$D2/log" 2>&1) & P2=$!
"$BIN/loadtool" --echo-server 127.0.0.1:19090 --aes-key $KEY --app-id wxdemo >/dev/null 2>&1 & PE=$!
trap 'kill $P1 $P2 $PE 2>/dev/null || true' EXIT
sleep 3
L="$BIN/loadtool -c 32 -d $DUR"
S="--mode safe --aes-key $KEY --app-id wxdemo"
run() { echo "== $1"; shift; $L "$@" | grep -E "SUMMARY|^cpu"; }
run "wxbot plain, one question"  --url http://127.0.0.1:18090/wechat --pid $P1
run "wxbot plain, dialogues"     --url http://127.0.0.1:18090/wechat --pid $P1 --texts "$T"
run "echo plain"                 --url http://127.0.0.1:19090/wechat --pid $PE
run "wxbot safe, one question"   --url http://127.0.0.1:18091/wechat --pid $P2 $S
run "wxbot safe, dialogues"      --url http://127.0.0.1:18091/wechat --pid $P2 $S --texts "$T"
run "echo safe"                  --url http://127.0.0.1:19090/wechat --pid $PE $S

#!/bin/bash
# compare.sh: the service against a bare SDK echo handler, plaintext and safe
# mode, one question (血常规多少钱) and the demo dialogues' messages
# (questions.txt), 32 connections, DUR each (default 10s), ROUNDS times
# (default 3) interleaved, so a drift of the machine's speed hits every target
# alike; prints every run, then the median of each target and the ratios.
# Builds both from the working tree, runs each server in a fresh temporary
# folder (demo mode: embedded store, outbox) and stops them at the end. Linux
# only (reads /proc).
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR=${DUR:-10s}
ROUNDS=${ROUNDS:-3}
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
S="--mode safe --aes-key $KEY --app-id wxdemo"
OUT=$(mktemp)
run() { # name, loadtool arguments...
	local name=$1; shift
	local res; res=$("$BIN/loadtool" -c 32 -d "$DUR" "$@")
	echo "$res" | grep -E "^cpu" | sed "s/^/$name  /"
	echo "$res" | grep SUMMARY | sed "s/^SUMMARY/$name/" | tee -a "$OUT"
}
for r in $(seq "$ROUNDS"); do
	echo "-- round $r"
	run plain-one  --url http://127.0.0.1:18090/wechat --pid $P1
	run plain-dlg  --url http://127.0.0.1:18090/wechat --pid $P1 --texts "$T"
	run echo-plain --url http://127.0.0.1:19090/wechat --pid $PE
	run safe-one   --url http://127.0.0.1:18091/wechat --pid $P2 $S
	run safe-dlg   --url http://127.0.0.1:18091/wechat --pid $P2 $S --texts "$T"
	run echo-safe  --url http://127.0.0.1:19090/wechat --pid $PE $S
done
echo "-- medians of $ROUNDS rounds"
awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "rps") rps[$1] = rps[$1] " " kv[2]; if (kv[1] == "p99") p99[$1] = p99[$1] " " kv[2] } }
function median(s,   a, n, i, j, t) { n = split(s, a, " "); for (i = 1; i <= n; i++) { a[i] = a[i] + 0 }
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return a[int((n + 1) / 2)] }
END {
	split("plain-one plain-dlg echo-plain safe-one safe-dlg echo-safe", ks, " ")
	for (k = 1; k <= 6; k++) { m[ks[k]] = median(rps[ks[k]]); printf "%-10s %8.0f msg/s  p99 %s ms (median)\n", ks[k], m[ks[k]], median(p99[ks[k]]) }
	printf "wxbot/echo plaintext: one question %.0f%%, dialogues %.0f%%\n", 100 * m["plain-one"] / m["echo-plain"], 100 * m["plain-dlg"] / m["echo-plain"]
	printf "wxbot/echo safe mode: one question %.0f%%, dialogues %.0f%%\n", 100 * m["safe-one"] / m["echo-safe"], 100 * m["safe-dlg"] / m["echo-safe"]
	printf "safe/plain wxbot: one question %.0f%%, dialogues %.0f%%\n", 100 * m["safe-one"] / m["plain-one"], 100 * m["safe-dlg"] / m["plain-dlg"]
}' "$OUT"

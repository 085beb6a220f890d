package redisstore

import (
	"fmt"
	"testing"
)

func TestParseClusterNodes(t *testing.T) {
	// Redis 7 format: address with ",hostname"; a replica; a failed node; a
	// slot being migrated; a node that does not know its own address.
	text := `07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,redis-4 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected
67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002,redis-2 master - 0 1426238316232 2 connected 5461-10922
292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@31003 master - 0 1426238318243 3 connected 10923-16383 [77->-e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca]
6ec23923021cf3ffec47632106199cb7f496ce01 127.0.0.1:30005@31005 slave,fail 67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 0 1426238316232 5 connected
e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca :30001@31001 myself,master - 0 0 1 connected 0-5000 5001 5002-5460
`
	slots, err := parseClusterNodes(text, "10.0.0.7")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range slots {
		var addrs []string
		for _, n := range s.Nodes {
			addrs = append(addrs, n.Addr)
		}
		got[fmt.Sprintf("%d-%d", s.Start, s.End)] = fmt.Sprint(addrs)
	}
	want := map[string]string{
		"5461-10922":  "[127.0.0.1:30002]",
		"10923-16383": "[127.0.0.1:30003]",
		"0-5000":      "[10.0.0.7:30001 127.0.0.1:30004]",
		"5001-5001":   "[10.0.0.7:30001 127.0.0.1:30004]",
		"5002-5460":   "[10.0.0.7:30001 127.0.0.1:30004]",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("slots = %v\nwant %v", got, want)
	}
	if _, err := parseClusterNodes("", "h"); err == nil {
		t.Fatal("empty CLUSTER NODES: no error")
	}
}

func TestParseCommandInfo(t *testing.T) {
	raw := []interface{}{
		[]interface{}{"get", int64(2), []interface{}{"readonly", "fast"}, int64(1), int64(1), int64(1), []interface{}{"@read"}, []interface{}{}, []interface{}{}, []interface{}{}},
		[]interface{}{"evalsha", int64(-3), []interface{}{"noscript"}, int64(0), int64(0), int64(0)},
		"junk",
	}
	info := parseCommandInfo(raw)
	if g := info["get"]; g == nil || g.FirstKeyPos != 1 || !g.ReadOnly || g.Arity != 2 {
		t.Fatalf("get = %+v", g)
	}
	if e := info["evalsha"]; e == nil || e.FirstKeyPos != 0 || e.ReadOnly {
		t.Fatalf("evalsha = %+v", e)
	}
	if len(info) != 2 {
		t.Fatalf("parsed %d commands; want 2", len(info))
	}
}

package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/store/memstore"
)

// fuzzHospitals are the hospitals whose data the conversation fuzzer talks
// to: the demo and every test hospital (their data differs in shape: process
// keywords, naming, departments).
func fuzzHospitals(f *testing.F) ([]*knowledge.Data, []string) {
	dirs := []string{"../knowledge/demo/data"}
	more, _ := filepath.Glob("../app/testdata/hospitals/*")
	for _, d := range more {
		if _, err := os.Stat(filepath.Join(d, "prices.csv")); err == nil {
			dirs = append(dirs, d)
		}
	}
	var data []*knowledge.Data
	var says []string
	for _, dir := range dirs {
		d, err := knowledge.LoadDir(dir)
		if err != nil {
			f.Fatalf("load %s: %v", dir, err)
		}
		d.Version = 1
		data = append(data, d)
		for _, name := range []string{filepath.Join(dir, "dialogs.json"), filepath.Join(dir, "..", "dialogs.json")} {
			raw, err := os.ReadFile(name)
			if err != nil {
				continue
			}
			var dialogs []struct {
				Turns []struct {
					Say string `json:"say"`
				} `json:"turns"`
			}
			if json.Unmarshal(raw, &dialogs) != nil {
				continue
			}
			for _, dl := range dialogs {
				var turns []string
				for _, t := range dl.Turns {
					turns = append(turns, t.Say)
				}
				says = append(says, strings.Join(turns, "\n"))
			}
			break
		}
	}
	return data, says
}

// FuzzConversation plays arbitrary conversations (one message per line)
// against every test hospital's data: the bot must answer every message,
// in valid UTF-8, of a length WeChat takes, and never panic or recurse
// without end (either would end the service).
//
//	go test -run '^$' -fuzz FuzzConversation -fuzztime 5m ./bot/
func FuzzConversation(f *testing.F) {
	data, says := fuzzHospitals(f)
	for i, s := range says {
		f.Add(uint8(i), s)
	}
	bots := make([]*Bot, len(data))
	for i, d := range data {
		bots[i] = New(Options{Store: memstore.New(), Knowledge: func() *knowledge.Data { return d }, Clock: clock.NewFake(wednesday)})
	}
	var conversations atomic.Int64
	f.Fuzz(func(t *testing.T, which uint8, convo string) {
		b := bots[int(which)%len(bots)]
		user := fmt.Sprint("fuzz", conversations.Add(1)) // a new patient: no context from other inputs
		lines := strings.Split(convo, "\n")
		if len(lines) > 12 {
			lines = lines[:12]
		}
		for _, say := range lines {
			if len(say) > 600 {
				say = say[:600]
			}
			say = strings.ToValidUTF8(say, "") // WeChat delivers valid UTF-8 XML
			r, err := b.Respond(context.Background(), Message{UserID: user, Kind: KindText, Text: say})
			if err != nil {
				t.Fatalf("Respond(%q): %v", say, err)
			}
			if r.Text == "" && !r.TransferToCS {
				t.Errorf("no answer to %q", say)
			}
			if !utf8.ValidString(r.Text) {
				t.Errorf("answer to %q is not UTF-8", say)
			}
			if n := len(r.Text); n > 2048 {
				t.Errorf("answer to %q is %d bytes, more than a WeChat text message takes (2048)", say, n)
			}
		}
	})
}

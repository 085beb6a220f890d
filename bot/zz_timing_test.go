package bot

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/store/memstore"
)

func TestZZTiming(t *testing.T) {
	if os.Getenv("ZZ") == "" {
		t.Skip()
	}
	d := generatedData(10000)
	bot := New(Options{Store: memstore.New(), Knowledge: func() *knowledge.Data { return d }})
	bot.index()
	for _, q := range benchQuestions {
		var max, sum time.Duration
		for i := 0; i < 50; i++ {
			st := time.Now()
			bot.Respond(context.Background(), Message{UserID: fmt.Sprint("u", i), Kind: KindText, Text: q})
			el := time.Since(st)
			sum += el
			if el > max {
				max = el
			}
		}
		fmt.Println(q, sum/50, max)
	}
}

package bot

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/knowledge"
)

// Two patients going through the same conversation get the same answers, the
// second from the memo, and each one's follow-ups still refer to their own
// conversation.
func TestRepeatedConversationsAnswerAlikeAndKeepTheirOwnContext(t *testing.T) {
	h := newHarness(t)
	steps := []string{"CT多少钱", "更多", "2", "那增强呢"}
	var first []string
	for _, say := range steps {
		first = append(first, h.say("p1", say).Text)
	}
	for i, say := range steps {
		if got := h.say("p2", say).Text; got != first[i] {
			t.Errorf("turn %d %q: second patient got\n%s\nfirst got\n%s", i, say, got, first[i])
		}
	}
	// A third patient in another conversation: "2" picks from their own list.
	h.say("p3", "阿莫西林多少钱")
	mustContain(t, h.say("p3", "2").Text, "阿莫西林胶囊")
	mustNotContain(t, h.say("p3", "2").Text, "CT")
}

// New data is answered at once: nothing from the memo outlives an import.
func TestAnImportedPriceIsAnsweredAtOnce(t *testing.T) {
	var cur atomic.Pointer[knowledge.Data]
	cur.Store(testData())
	h := newHarness(t, func(o *Options) { o.Knowledge = cur.Load })
	mustContain(t, h.say("u1", "血常规多少钱").Text, "22.00元")
	mustContain(t, h.say("u2", "血常规多少钱").Text, "22.00元")

	d := testData()
	d.Version++
	d.Prices[0].Cents = 2500
	cur.Store(d)
	r := h.say("u3", "血常规多少钱").Text
	mustContain(t, r, "25.00元")
	mustNotContain(t, r, "22.00元")
	mustContain(t, h.say("u1", "血常规多少钱").Text, "25.00元")
}

// 今天 is the day it is asked: the same words the next day are a new question.
func TestTodayMeansTheDayItIsAsked(t *testing.T) {
	clk := clock.NewFake(wednesday)
	h := newHarness(t, func(o *Options) { o.Clock = clk })
	wed := h.say("u1", "儿科今天有门诊吗").Text
	mustContain(t, wed, "陈思远")
	clk.Advance(72 * time.Hour) // Saturday
	sat := h.say("u2", "儿科今天有门诊吗").Text
	mustContain(t, sat, "刘晓红")
	if sat == wed {
		t.Errorf("Saturday's answer is Wednesday's:\n%s", sat)
	}
}

package bot

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/hospital/wxbot/store"
)

// Store keys of the unanswered-question log: counts and last-seen times,
// one field per normalised question.
const (
	unansweredCountKey = "bot:unanswered:count"
	unansweredLastKey  = "bot:unanswered:last"
	maxQuestionBytes   = 300
)

var errNoStore = errors.New("bot: no store")

// Unanswered is a question the bot could not answer, with how often it was
// asked and when last.
type Unanswered struct {
	Question string    `json:"question"`
	Count    int64     `json:"count"`
	LastSeen time.Time `json:"last_seen"`
}

// recordUnanswered counts one unanswered question.
func recordUnanswered(ctx context.Context, st store.Store, question string, now time.Time) error {
	if st == nil {
		return errNoStore
	}
	if len(question) > maxQuestionBytes {
		question = question[:maxQuestionBytes]
	}
	if _, err := st.HIncr(ctx, unansweredCountKey, question, 1); err != nil {
		return fmt.Errorf("record unanswered: %w", err)
	}
	if err := st.HSet(ctx, unansweredLastKey, question, []byte(strconv.FormatInt(now.Unix(), 10))); err != nil {
		return fmt.Errorf("record unanswered: %w", err)
	}
	return nil
}

// ListUnanswered returns the recorded unanswered questions, most asked first
// (then most recent).
func ListUnanswered(ctx context.Context, st store.Store) ([]Unanswered, error) {
	counts, err := st.HGetAll(ctx, unansweredCountKey)
	if err != nil {
		return nil, fmt.Errorf("list unanswered: %w", err)
	}
	lasts, err := st.HGetAll(ctx, unansweredLastKey)
	if err != nil {
		return nil, fmt.Errorf("list unanswered: %w", err)
	}
	out := make([]Unanswered, 0, len(counts))
	for q, raw := range counts {
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			continue
		}
		u := Unanswered{Question: q, Count: n}
		if l, ok := lasts[q]; ok {
			if sec, err := strconv.ParseInt(string(l), 10, 64); err == nil {
				u.LastSeen = time.Unix(sec, 0).UTC()
			}
		}
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		if !out[i].LastSeen.Equal(out[j].LastSeen) {
			return out[i].LastSeen.After(out[j].LastSeen)
		}
		return out[i].Question < out[j].Question
	})
	return out, nil
}

package bot

import (
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"go.uber.org/zap"

	"github.com/hospital/wxbot/search"
	"github.com/hospital/wxbot/textnorm"
)

// The reply memo: the core's answer is a function of the data, the
// conversation so far (the stored session), the message and the date (今天,
// 明天). Patients ask the same things in the same situations all day (the
// first 挂号 or 血常规多少钱 of a conversation, a menu's follow-up), so the
// answer and the session it leaves are remembered for each such quadruple and
// served again without matching. One memo lives with one index: new data
// starts an empty one.
const (
	memoEntries  = 4096 // about 10 MB at most
	memoMaxText  = 300  // bytes; longer messages are rarely repeated
	memoMaxState = 2048 // bytes of stored session
)

type memoKey struct {
	day   int // yyyymmdd in the clock's location
	state string
	text  string
}

type memoEntry struct {
	out   answerOut
	ok    bool
	after []byte // the session to store afterwards
}

// replyMemo remembers answers computed on one index.
type replyMemo struct {
	x     *search.Index
	cache *lru.Cache[memoKey, memoEntry]
}

func newReplyMemo(x *search.Index) *replyMemo {
	c, err := lru.New[memoKey, memoEntry](memoEntries)
	if err != nil {
		panic(err) // only for a size <= 0
	}
	return &replyMemo{x: x, cache: c}
}

// memoFor returns the memo of index x (nil when x is no longer current).
func (b *Bot) memoFor(x *search.Index) *replyMemo {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.memo == nil || b.memo.x != x {
		return nil
	}
	return b.memo
}

// memoAnswer answers raw (normalised: norm) in the conversation stored as
// state, from the memo when the same question was answered in the same
// situation today. after is the session to store (nil when it could not be
// encoded).
func (b *Bot) memoAnswer(x *search.Index, state []byte, raw, norm string, now time.Time) (out answerOut, ok bool, after []byte) {
	y, m, d := now.Date()
	key := memoKey{day: y*10000 + int(m)*100 + d, state: string(state), text: raw}
	memo := b.memoFor(x)
	if memo != nil && len(raw) <= memoMaxText && len(state) <= memoMaxState {
		if e, hit := memo.cache.Get(key); hit {
			return e.out, e.ok, e.after
		}
	} else {
		memo = nil
	}
	s := decodeSession(state)
	if s.Version != x.Data.Version {
		s = &session{Version: x.Data.Version}
	}
	out, ok = b.answer(x, s, raw, textnorm.Colloquial(norm), now)
	after, err := encodeSession(s)
	if err != nil {
		b.log.Warn("session not saved", zap.Error(err))
		return out, ok, nil
	}
	if memo != nil {
		memo.cache.Add(key, memoEntry{out: out, ok: ok, after: after})
	}
	return out, ok, after
}

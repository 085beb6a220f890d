// Package noticeskill is the chat side of notices (a bot.Skill): 订阅 [类别],
// 退订 [类别], 我的订阅, 最新公示, the subscriptions and notices menu keys, and
// the unsubscribe event.
package noticeskill

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hospital/wxbot/bot"
	"github.com/hospital/wxbot/notices"
	"github.com/hospital/wxbot/textnorm"
)

// Skill answers the notice commands and passes every other message on
// (handled=false).
type Skill struct {
	svc    *notices.Service
	subs   *notices.Subscriptions
	byNorm map[string]string // normalised category -> category
	latest int
}

// New returns the skill for svc's categories; 最新公示 shows the latest
// notices (default 5).
func New(svc *notices.Service, latest int) *Skill {
	if latest <= 0 {
		latest = 5
	}
	k := &Skill{svc: svc, subs: svc.Subscriptions(), byNorm: map[string]string{}, latest: latest}
	for _, c := range k.subs.Categories() {
		k.byNorm[textnorm.Normalize(c)] = c
	}
	return k
}

var _ bot.Skill = (*Skill)(nil)

// Words that open the skill's commands, on the normalised text (no spaces).
var (
	wordsMine   = []string{"我的订阅", "查看订阅", "订阅列表", "已订阅", "我订阅了什么", "我订阅了哪些"}
	wordsLatest = []string{"最新公示", "公示", "查看公示", "最近公示", "最新公告", "公示列表", "院务公示"}
	prefixesOff = []string{"取消订阅", "退订"}
	prefixOn    = "订阅"
	wordsAll    = []string{"全部", "所有", "全部类别", "所有类别"}
)

// Handle answers the turn when it is one of the skill's commands.
func (k *Skill) Handle(ctx context.Context, t *bot.Turn) (bot.Reply, bool, error) {
	msg := t.Msg
	switch msg.Kind {
	case bot.KindEvent:
		return k.event(ctx, msg)
	case bot.KindText, bot.KindVoice:
	default:
		return bot.Reply{}, false, nil
	}
	s := t.Norm
	if s == "" {
		s = textnorm.Normalize(msg.Text)
	}
	s = strings.ReplaceAll(s, " ", "")
	if s == "" || msg.UserID == "" {
		return bot.Reply{}, false, nil
	}
	switch {
	case oneOf(s, wordsMine):
		return k.mine(ctx, msg.UserID)
	case oneOf(s, wordsLatest):
		return k.latestReply(ctx)
	}
	for _, p := range prefixesOff {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return k.off(ctx, msg.UserID, rest)
		}
	}
	if rest, ok := strings.CutPrefix(s, prefixOn); ok {
		return k.on(ctx, msg.UserID, rest)
	}
	return bot.Reply{}, false, nil
}

func oneOf(s string, words []string) bool {
	for _, w := range words {
		if s == w {
			return true
		}
	}
	return false
}

func (k *Skill) event(ctx context.Context, msg bot.Message) (bot.Reply, bool, error) {
	switch msg.Event {
	case bot.EventUnsubscribe:
		if msg.UserID != "" {
			if err := k.subs.UnsubscribeAll(ctx, msg.UserID); err != nil {
				return bot.Reply{}, false, err
			}
		}
		// Pass it on: other skills may clean up too; nobody can answer anyway.
		return bot.Reply{}, false, nil
	case bot.EventClick:
		switch msg.EventKey {
		case bot.KeySubscriptions:
			return k.menu(ctx, msg.UserID)
		case bot.KeyNotices:
			return k.latestReply(ctx)
		}
	}
	return bot.Reply{}, false, nil
}

// match finds the category the patient meant: an exact (normalised) name, or
// the only category containing what they typed. ok=false when none or several.
func (k *Skill) match(x string) (cat string, candidates []string) {
	if c, ok := k.byNorm[x]; ok {
		return c, nil
	}
	for _, c := range k.subs.Categories() {
		n := textnorm.Normalize(c)
		if utf8.RuneCountInString(x) >= 2 && (strings.Contains(n, x) || strings.Contains(x, n)) {
			candidates = append(candidates, c)
		}
	}
	if len(candidates) == 1 {
		return candidates[0], nil
	}
	return "", candidates
}

// looksLikeQuestion tells a sentence that merely starts with 订阅 / 退订
// (订阅号是什么, 退订了还会收到吗) from a command with a category.
func looksLikeQuestion(rest string) bool {
	if utf8.RuneCountInString(rest) > 10 {
		return true
	}
	for _, w := range []string{"吗", "么", "什么", "怎么", "如何", "哪", "能不能", "可以", "号", "了", "?"} {
		if strings.Contains(rest, w) {
			return true
		}
	}
	return false
}

func (k *Skill) listText() string {
	return "「" + strings.Join(k.subs.Categories(), "」「") + "」"
}

func (k *Skill) on(ctx context.Context, user, rest string) (bot.Reply, bool, error) {
	if rest == "" {
		mine, err := k.subs.Of(ctx, user)
		if err != nil {
			return bot.Reply{}, true, err
		}
		var b strings.Builder
		b.WriteString("可订阅的院务公示类别：\n")
		for i, c := range k.subs.Categories() {
			fmt.Fprintf(&b, "%d. %s\n", i+1, c)
		}
		b.WriteString("回复「订阅 类别」即可订阅，例如「订阅 价格调整」；回复「退订 类别」取消订阅。")
		if len(mine) > 0 {
			b.WriteString("\n您已订阅：" + strings.Join(mine, "、") + "。")
		}
		return bot.Reply{Text: b.String()}, true, nil
	}
	if oneOf(rest, wordsAll) {
		for _, c := range k.subs.Categories() {
			if _, err := k.subs.Subscribe(ctx, user, c); err != nil {
				return bot.Reply{}, true, err
			}
		}
		return bot.Reply{Text: "已订阅全部公示类别：" + strings.Join(k.subs.Categories(), "、") + "。有新的公示会通知您，回复「退订 类别」可取消。"}, true, nil
	}
	cat, cands := k.match(rest)
	if cat == "" {
		if len(cands) > 1 {
			return bot.Reply{Text: fmt.Sprintf("「%s」可能是%s，请回复完整的类别名称，例如「订阅 %s」。", rest, "「"+strings.Join(cands, "」或「")+"」", cands[0])}, true, nil
		}
		if looksLikeQuestion(rest) {
			return bot.Reply{}, false, nil
		}
		return bot.Reply{Text: fmt.Sprintf("暂无「%s」这个公示类别。可订阅的类别有：%s。回复「订阅 类别」即可订阅，例如「订阅 价格调整」。", rest, k.listText())}, true, nil
	}
	added, err := k.subs.Subscribe(ctx, user, cat)
	if err != nil {
		return bot.Reply{}, true, err
	}
	if !added {
		return bot.Reply{Text: fmt.Sprintf("您已订阅「%s」，无需重复订阅。回复「退订 %s」可取消。", cat, cat)}, true, nil
	}
	return bot.Reply{Text: fmt.Sprintf("已订阅「%s」，有新的%s公示会第一时间通知您。回复「退订 %s」可取消订阅。", cat, cat, cat)}, true, nil
}

func (k *Skill) off(ctx context.Context, user, rest string) (bot.Reply, bool, error) {
	if rest == "" {
		mine, err := k.subs.Of(ctx, user)
		if err != nil {
			return bot.Reply{}, true, err
		}
		if len(mine) == 0 {
			return bot.Reply{Text: "您还没有订阅任何公示类别，无需退订。"}, true, nil
		}
		return bot.Reply{Text: fmt.Sprintf("您已订阅：%s。回复「退订 类别」取消其中一类，例如「退订 %s」；回复「退订 全部」全部取消。", strings.Join(mine, "、"), mine[0])}, true, nil
	}
	if oneOf(rest, wordsAll) {
		if err := k.subs.UnsubscribeAll(ctx, user); err != nil {
			return bot.Reply{}, true, err
		}
		return bot.Reply{Text: "已退订全部公示类别，您将不再收到院务公示推送。"}, true, nil
	}
	cat, cands := k.match(rest)
	if cat == "" {
		if len(cands) > 1 {
			return bot.Reply{Text: fmt.Sprintf("「%s」可能是%s，请回复完整的类别名称，例如「退订 %s」。", rest, "「"+strings.Join(cands, "」或「")+"」", cands[0])}, true, nil
		}
		if looksLikeQuestion(rest) {
			return bot.Reply{}, false, nil
		}
		return bot.Reply{Text: fmt.Sprintf("暂无「%s」这个公示类别。类别有：%s。", rest, k.listText())}, true, nil
	}
	removed, err := k.subs.Unsubscribe(ctx, user, cat)
	if err != nil {
		return bot.Reply{}, true, err
	}
	if !removed {
		return bot.Reply{Text: fmt.Sprintf("您没有订阅「%s」，无需退订。", cat)}, true, nil
	}
	return bot.Reply{Text: fmt.Sprintf("已退订「%s」，您将不再收到此类公示。", cat)}, true, nil
}

func (k *Skill) mine(ctx context.Context, user string) (bot.Reply, bool, error) {
	mine, err := k.subs.Of(ctx, user)
	if err != nil {
		return bot.Reply{}, true, err
	}
	if len(mine) == 0 {
		return bot.Reply{Text: "您还没有订阅任何公示类别。回复「订阅」查看可订阅的类别。"}, true, nil
	}
	return bot.Reply{Text: fmt.Sprintf("您已订阅：%s。\n回复「退订 类别」可取消订阅。", strings.Join(mine, "、"))}, true, nil
}

// menu answers the subscriptions menu key: what the patient has and what exists.
func (k *Skill) menu(ctx context.Context, user string) (bot.Reply, bool, error) {
	mine, err := k.subs.Of(ctx, user)
	if err != nil {
		return bot.Reply{}, true, err
	}
	var b strings.Builder
	if len(mine) == 0 {
		b.WriteString("您还没有订阅任何公示类别。\n")
	} else {
		b.WriteString("您已订阅：" + strings.Join(mine, "、") + "。\n")
	}
	b.WriteString("可订阅的类别：" + strings.Join(k.subs.Categories(), "、") + "。\n")
	b.WriteString("回复「订阅 类别」订阅，「退订 类别」取消，例如「订阅 价格调整」。")
	return bot.Reply{Text: b.String()}, true, nil
}

func (k *Skill) latestReply(ctx context.Context) (bot.Reply, bool, error) {
	list, err := k.svc.Latest(ctx, k.latest)
	if err != nil {
		return bot.Reply{}, true, err
	}
	if len(list) == 0 {
		return bot.Reply{Text: "暂无公示。回复「订阅」可订阅院务公示，有新公示时会通知您。"}, true, nil
	}
	var b strings.Builder
	b.WriteString("最新院务公示：\n")
	for i, n := range list {
		if n.State == notices.StateRetracted {
			fmt.Fprintf(&b, "%d. 【已撤回】%s（%s）\n", i+1, n.Title, n.Date())
			continue
		}
		fmt.Fprintf(&b, "%d. 【%s】%s（%s）\n", i+1, n.Category, n.Title, n.Date())
		if n.Link != "" {
			fmt.Fprintf(&b, "   %s\n", n.Link)
		}
	}
	b.WriteString("回复「订阅 类别」可接收新公示通知。")
	return bot.Reply{Text: b.String()}, true, nil
}

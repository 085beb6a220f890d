package app

import (
	"github.com/hospital/wxbot/bot"
	"github.com/hospital/wxbot/notices"
	"github.com/hospital/wxbot/notices/noticeskill"
)

// noticeSkills returns the chat skills of the notices service (订阅, 退订,
// 我的订阅, 最新公示, the unsubscribe event).
func noticeSkills(s *notices.Service) []bot.Skill {
	return []bot.Skill{noticeskill.New(s, 5)}
}

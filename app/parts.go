package app

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/hospital/wxbot/audit"
	"github.com/hospital/wxbot/bot"
	"github.com/hospital/wxbot/complaints"
	"github.com/hospital/wxbot/complaints/complaintapi"
	"github.com/hospital/wxbot/handlers"
	"github.com/hospital/wxbot/notices"
	"github.com/hospital/wxbot/notices/noticeapi"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/workdays"
)

// parts are the domain services built on the store and the WeChat API.
type parts struct {
	responder  bot.Responder
	bot        *bot.Bot
	staff      *staff.Service
	audit      *audit.Log
	notices    *notices.Service
	complaints *complaints.Service
	api        http.Handler
	console    http.Handler
	background []func(ctx context.Context)
}

func buildParts(ctx context.Context, a *App) (*parts, error) {
	cfg, log := a.Cfg, a.Log
	p := &parts{}
	p.staff = staff.NewService(a.Store, a.Clock)
	p.audit = audit.New(a.Store, a.Clock)

	// Notices and their push.
	p.notices = notices.NewService(a.Store, a.Clock, notices.Config{Categories: cfg.Notices.Categories}, log.Named("notices"))
	p.notices.SetAudit(p.audit)
	sender, err := notices.NewSender(a.API, notices.SenderConfig{Mode: cfg.Push.Mode, TemplateID: cfg.Push.TemplateID})
	if err != nil {
		return nil, fmt.Errorf("push: %w", err)
	}
	nm, err := notices.NewMetrics(a.Registry)
	if err != nil {
		return nil, fmt.Errorf("push metrics: %w", err)
	}
	pool := notices.NewPool(p.notices, sender, notices.PoolOptions{Workers: cfg.Push.Workers, RatePerSecond: cfg.Push.RatePerSecond}, nm, log.Named("push"))
	sched := notices.NewScheduler(p.notices, 15*time.Second, log.Named("notices"))
	p.background = append(p.background,
		func(ctx context.Context) { _ = pool.Run(ctx) },
		func(ctx context.Context) { _ = sched.Run(ctx) },
	)

	// Complaints.
	holidays, err := workdays.ParseDates(cfg.Complaints.Holidays)
	if err != nil {
		return nil, fmt.Errorf("complaints.holidays: %w", err)
	}
	makeup, err := workdays.ParseDates(cfg.Complaints.MakeupWorkdays)
	if err != nil {
		return nil, fmt.Errorf("complaints.makeup_workdays: %w", err)
	}
	p.complaints = complaints.New(a.Store, complaints.Options{
		Clock:         a.Clock,
		Calendar:      &workdays.Calendar{Holidays: holidays, MakeupDays: makeup},
		WeChat:        a.API,
		TemplateID:    cfg.Complaints.TemplateID,
		Logger:        log.Named("complaints"),
		Registerer:    a.Registry,
		RetentionDays: cfg.Complaints.RetentionDays,
		DigestOpenIDs: cfg.Complaints.DigestOpenIDs,
		DigestHour:    cfg.Complaints.DigestHour,
	})
	p.background = append(p.background, func(ctx context.Context) { p.complaints.Run(ctx, time.Minute) })

	// The bot with its skills: the complaint form first (it holds the
	// conversation while a form is open), then subscriptions and notices.
	skills := []bot.Skill{complaints.NewSkill(p.complaints, a.Knowledge.Current)}
	skills = append(skills, noticeSkills(p.notices)...)
	p.bot = bot.New(bot.Options{
		Store: a.Store, Knowledge: a.Knowledge.Current, Skills: skills,
		Clock: a.Clock, Logger: log.Named("bot"),
	})
	p.responder = p.bot

	// The admin API: every route behind staff authentication.
	mux := http.NewServeMux()
	capi := complaintapi.New(p.complaints, p.audit, log.Named("complaintapi"))
	mux.Handle("/api/v1/complaints", capi)
	mux.Handle("/api/v1/complaints/", capi)
	(&handlers.KnowledgeAPI{Repo: a.Knowledge, Audit: p.audit, Log: log.Named("knowledgeapi"),
		Unanswered: func(ctx context.Context) (any, error) { return bot.ListUnanswered(ctx, a.Store) },
	}).Register(mux)
	mux.Handle("/api/", noticeapi.New(noticeapi.Deps{Notices: p.notices, Audit: p.audit, Log: log.Named("noticeapi")}))
	p.api = p.staff.Middleware(mux)
	p.console = buildConsole(a, p)
	return p, nil
}

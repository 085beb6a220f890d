// Package config reads the service's configuration with viper: built-in
// defaults, then an optional YAML file, then WXBOT_* environment variables
// (WXBOT_WECHAT_TOKEN for wechat.token). Only this package reads viper; the
// rest of the service receives a plain Config.
package config

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/viper"
)

// Config is the whole configuration.
type Config struct {
	Server     Server     `mapstructure:"server"`
	WeChat     WeChat     `mapstructure:"wechat"`
	Store      Store      `mapstructure:"store"`
	Redis      Redis      `mapstructure:"redis"`
	Knowledge  Knowledge  `mapstructure:"knowledge"`
	Push       Push       `mapstructure:"push"`
	Complaints Complaints `mapstructure:"complaints"`
	Notices    Notices    `mapstructure:"notices"`
	Console    Console    `mapstructure:"console"`
	Log        Log        `mapstructure:"log"`
	Menu       string     `mapstructure:"menu"` // custom menu JSON; empty = the built-in default
	// File is the config file that was read ("" when none).
	File string `mapstructure:"-"`
}

// Server is the HTTP listener.
type Server struct {
	Addr            string        `mapstructure:"addr"`
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
}

// WeChat is the official account's settings.
type WeChat struct {
	AppID                  string        `mapstructure:"app_id"`
	AppSecret              string        `mapstructure:"app_secret"`
	Token                  string        `mapstructure:"token"`
	EncodingAESKey         string        `mapstructure:"encoding_aes_key"`
	PreviousEncodingAESKey string        `mapstructure:"previous_encoding_aes_key"`
	MaxClockSkew           time.Duration `mapstructure:"max_clock_skew"`
	APIBaseURL             string        `mapstructure:"api_base_url"`
	// ReplyBudget is how long the webhook waits for an answer before it answers
	// `success` and sends the answer later as a customer-service message.
	ReplyBudget time.Duration `mapstructure:"reply_budget"`
	// DedupTTL is how long message ids are remembered to drop WeChat's retries.
	DedupTTL time.Duration `mapstructure:"dedup_ttl"`
	// OutboxMode is "auto" (default: outbox when no app_id is set), "true" or
	// "false". With the outbox, outbound messages are written to the store
	// instead of calling WeChat.
	OutboxMode string `mapstructure:"outbox"`
	// Outbox is OutboxMode resolved.
	Outbox bool `mapstructure:"-"`
}

// Store selects the storage backend.
type Store struct {
	Driver string `mapstructure:"driver"` // embedded | redis
	Path   string `mapstructure:"path"`
}

// Redis is the Redis connection: one address, a Sentinel master (master_name
// with addrs) or a Cluster (several addrs).
type Redis struct {
	Addr       string   `mapstructure:"addr"`
	Addrs      []string `mapstructure:"addrs"`
	MasterName string   `mapstructure:"master_name"`
	Password   string   `mapstructure:"password"`
	DB         int      `mapstructure:"db"`
	Prefix     string   `mapstructure:"prefix"`
}

// Knowledge is where the hospital's data files live.
type Knowledge struct {
	Dir string `mapstructure:"dir"`
}

// Push configures the notice fan-out.
type Push struct {
	RatePerSecond float64 `mapstructure:"rate_per_second"`
	TemplateID    string  `mapstructure:"template_id"`
	Mode          string  `mapstructure:"mode"` // template | subscribe
	Workers       int     `mapstructure:"workers"`
}

// Complaints configures complaint handling.
type Complaints struct {
	TemplateID     string   `mapstructure:"template_id"`
	Holidays       []string `mapstructure:"holidays"`
	MakeupWorkdays []string `mapstructure:"makeup_workdays"`
	RetentionDays  int      `mapstructure:"retention_days"`
	// DigestOpenIDs are complaints staff who get the daily digest in WeChat.
	DigestOpenIDs []string `mapstructure:"digest_openids"`
	DigestHour    int      `mapstructure:"digest_hour"`
}

// Console configures the staff web console at /console/.
type Console struct {
	// CookieSecure marks the session cookie Secure (HTTPS only). Keep it on
	// behind TLS; the demo on http://127.0.0.1 works either way in browsers
	// that treat localhost as secure.
	CookieSecure bool          `mapstructure:"cookie_secure"`
	IdleTimeout  time.Duration `mapstructure:"idle_timeout"`
}

// Notices configures the notice categories.
type Notices struct {
	Categories []string `mapstructure:"categories"`
}

// Log configures logging.
type Log struct {
	Level  string `mapstructure:"level"`  // debug | info | warn | error
	Format string `mapstructure:"format"` // json | console
}

// Demo reports whether the service runs as the local demo (no WeChat
// credentials): outbound messages go to the outbox.
func (c *Config) Demo() bool { return c.WeChat.AppID == "" }

// SafeMode reports whether messages are encrypted (an EncodingAESKey is set).
func (c *Config) SafeMode() bool { return c.WeChat.EncodingAESKey != "" }

func defaults(v *viper.Viper) {
	v.SetDefault("server.addr", ":8080")
	v.SetDefault("server.shutdown_timeout", "10s")
	v.SetDefault("wechat.app_id", "")
	v.SetDefault("wechat.app_secret", "")
	v.SetDefault("wechat.token", "dev-token")
	v.SetDefault("wechat.encoding_aes_key", "")
	v.SetDefault("wechat.previous_encoding_aes_key", "")
	v.SetDefault("wechat.max_clock_skew", "5m")
	v.SetDefault("wechat.api_base_url", "https://api.weixin.qq.com")
	v.SetDefault("wechat.reply_budget", "4s")
	v.SetDefault("wechat.dedup_ttl", "2m")
	v.SetDefault("wechat.outbox", "auto")
	v.SetDefault("store.driver", "embedded")
	v.SetDefault("store.path", "./data/wxbot.db")
	v.SetDefault("redis.addr", "")
	v.SetDefault("redis.addrs", []string{})
	v.SetDefault("redis.master_name", "")
	v.SetDefault("redis.password", "")
	v.SetDefault("redis.db", 0)
	v.SetDefault("redis.prefix", "wxbot:")
	v.SetDefault("knowledge.dir", "")
	v.SetDefault("push.rate_per_second", 0)
	v.SetDefault("push.template_id", "")
	v.SetDefault("push.mode", "template")
	v.SetDefault("push.workers", 32)
	v.SetDefault("complaints.template_id", "")
	v.SetDefault("complaints.holidays", []string{})
	v.SetDefault("complaints.makeup_workdays", []string{})
	v.SetDefault("complaints.retention_days", 365)
	v.SetDefault("complaints.digest_openids", []string{})
	v.SetDefault("complaints.digest_hour", 8)
	v.SetDefault("notices.categories", []string{})
	v.SetDefault("console.cookie_secure", true)
	v.SetDefault("console.idle_timeout", "30m")
	v.SetDefault("log.level", "info")
	v.SetDefault("log.format", "")
	v.SetDefault("menu", "")
}

// Load reads defaults, the file (if path is not empty) and the WXBOT_*
// environment. It does not validate: call Validate.
func Load(path string) (*Config, error) {
	v := viper.New()
	defaults(v)
	v.SetEnvPrefix("WXBOT")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if path != "" {
		v.SetConfigFile(path)
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("read config %s: %w", path, err)
		}
	}
	var c Config
	if err := v.Unmarshal(&c); err != nil {
		return nil, fmt.Errorf("decode config: %w", err)
	}
	// Lists from the environment arrive as one string: split on commas.
	c.Redis.Addrs = splitList(c.Redis.Addrs)
	c.Complaints.Holidays = splitList(c.Complaints.Holidays)
	c.Complaints.MakeupWorkdays = splitList(c.Complaints.MakeupWorkdays)
	c.Complaints.DigestOpenIDs = splitList(c.Complaints.DigestOpenIDs)
	c.Notices.Categories = splitList(c.Notices.Categories)
	switch strings.ToLower(c.WeChat.OutboxMode) {
	case "true", "1", "yes", "on":
		c.WeChat.Outbox = true
	case "false", "0", "no", "off":
		c.WeChat.Outbox = false
	default:
		c.WeChat.Outbox = c.WeChat.AppID == ""
	}
	if c.Log.Format == "" {
		c.Log.Format = "json"
		if c.Demo() {
			c.Log.Format = "console"
		}
	}
	c.File = path
	return &c, nil
}

func splitList(in []string) []string {
	var out []string
	for _, s := range in {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// Problem is one bad configuration key and why.
type Problem struct {
	Key    string
	Reason string
}

// ValidationError lists every bad key.
type ValidationError struct{ Problems []Problem }

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("invalid configuration:")
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s: %s", p.Key, p.Reason)
	}
	return b.String()
}

// Validate checks every key and returns a *ValidationError naming each bad one.
// Reachability of Redis is checked by the caller when it opens the store.
func (c *Config) Validate() error {
	var ps []Problem
	add := func(k, format string, a ...any) { ps = append(ps, Problem{k, fmt.Sprintf(format, a...)}) }
	if c.Server.Addr == "" {
		add("server.addr", "must not be empty (e.g. :8080)")
	}
	if c.WeChat.Token == "" {
		add("wechat.token", "must not be empty: WeChat signs every request with it")
	}
	checkKey := func(key, val string) {
		if val == "" {
			return
		}
		if len(val) != 43 {
			add(key, "must be 43 characters (it has %d)", len(val))
			return
		}
		if b, err := base64.StdEncoding.DecodeString(val + "="); err != nil || len(b) != 32 {
			add(key, "is not valid base64 of a 32-byte AES key")
		}
	}
	checkKey("wechat.encoding_aes_key", c.WeChat.EncodingAESKey)
	checkKey("wechat.previous_encoding_aes_key", c.WeChat.PreviousEncodingAESKey)
	if c.WeChat.PreviousEncodingAESKey != "" && c.WeChat.EncodingAESKey == "" {
		add("wechat.previous_encoding_aes_key", "set without wechat.encoding_aes_key")
	}
	if c.WeChat.EncodingAESKey != "" && c.WeChat.AppID == "" {
		add("wechat.app_id", "required in safe/compatible mode (the encrypted messages carry it)")
	}
	if c.WeChat.AppSecret != "" && c.WeChat.AppID == "" {
		add("wechat.app_secret", "set without wechat.app_id")
	}
	if c.WeChat.AppID != "" && c.WeChat.AppSecret == "" && !c.WeChat.Outbox {
		add("wechat.app_secret", "required with wechat.app_id to call WeChat's API (or set wechat.outbox: true)")
	}
	if c.WeChat.MaxClockSkew < 0 {
		add("wechat.max_clock_skew", "must not be negative (0 turns the check off)")
	}
	if c.WeChat.ReplyBudget <= 0 || c.WeChat.ReplyBudget > 4500*time.Millisecond {
		add("wechat.reply_budget", "must be between 1ms and 4.5s (WeChat waits 5 s)")
	}
	if c.WeChat.DedupTTL < 30*time.Second {
		add("wechat.dedup_ttl", "must be at least 30s (WeChat delivers a message up to three times within about 15 s)")
	}
	if !strings.HasPrefix(c.WeChat.APIBaseURL, "http://") && !strings.HasPrefix(c.WeChat.APIBaseURL, "https://") {
		add("wechat.api_base_url", "must be an http(s) URL")
	}
	switch strings.ToLower(c.WeChat.OutboxMode) {
	case "auto", "true", "1", "yes", "on", "false", "0", "no", "off":
	default:
		add("wechat.outbox", "unknown value %q (auto, true or false)", c.WeChat.OutboxMode)
	}
	switch c.Store.Driver {
	case "embedded":
		if c.Store.Path == "" {
			add("store.path", "must not be empty with store.driver embedded")
		}
	case "redis":
		if c.Redis.Addr == "" && len(c.Redis.Addrs) == 0 {
			add("redis.addr", "required with store.driver redis (or redis.addrs)")
		}
		if c.Redis.MasterName != "" && len(c.Redis.Addrs) == 0 && c.Redis.Addr == "" {
			add("redis.addrs", "Sentinel (redis.master_name) needs the sentinels' addresses")
		}
	default:
		add("store.driver", "unknown driver %q (use embedded or redis)", c.Store.Driver)
	}
	if c.Redis.DB < 0 {
		add("redis.db", "must not be negative")
	}
	if c.Push.RatePerSecond < 0 {
		add("push.rate_per_second", "must not be negative (0 = unlimited)")
	}
	switch c.Push.Mode {
	case "template", "subscribe":
	default:
		add("push.mode", "unknown mode %q (use template or subscribe)", c.Push.Mode)
	}
	if c.Push.Workers < 1 {
		add("push.workers", "must be at least 1")
	}
	for _, d := range c.Complaints.Holidays {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			add("complaints.holidays", "%q is not a YYYY-MM-DD date", d)
		}
	}
	for _, d := range c.Complaints.MakeupWorkdays {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			add("complaints.makeup_workdays", "%q is not a YYYY-MM-DD date", d)
		}
	}
	if c.Complaints.DigestHour < 0 || c.Complaints.DigestHour > 23 {
		add("complaints.digest_hour", "must be an hour 0-23")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		add("log.level", "unknown level %q (debug, info, warn, error)", c.Log.Level)
	}
	switch c.Log.Format {
	case "json", "console":
	default:
		add("log.format", "unknown format %q (json or console)", c.Log.Format)
	}
	if len(ps) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps}
}

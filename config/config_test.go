package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultsAreTheDemo(t *testing.T) {
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults must validate: %v", err)
	}
	if c.Server.Addr != ":8080" || c.WeChat.Token != "dev-token" || c.Store.Driver != "embedded" ||
		c.Store.Path != "./data/wxbot.db" || c.WeChat.MaxClockSkew != 5*time.Minute || c.WeChat.DedupTTL != 2*time.Minute {
		t.Errorf("unexpected defaults: %+v", c)
	}
	if !c.Demo() || !c.WeChat.Outbox || c.SafeMode() {
		t.Errorf("defaults should be the plaintext demo with an outbox")
	}
	if c.Log.Format != "console" {
		t.Errorf("demo logs should be console, got %q", c.Log.Format)
	}
}

func TestFileThenEnvironment(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "wxbot.yaml")
	yaml := "server:\n  addr: \":9000\"\nwechat:\n  app_id: wx123\n  app_secret: s3cret\n  token: filetoken\nstore:\n  driver: redis\nredis:\n  addr: 127.0.0.1:6379\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("WXBOT_WECHAT_TOKEN", "envtoken")
	t.Setenv("WXBOT_COMPLAINTS_HOLIDAYS", "2026-10-01, 2026-10-02")
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Addr != ":9000" {
		t.Errorf("file value lost: addr %q", c.Server.Addr)
	}
	if c.WeChat.Token != "envtoken" {
		t.Errorf("environment should win over the file: token %q", c.WeChat.Token)
	}
	if len(c.Complaints.Holidays) != 2 || c.Complaints.Holidays[1] != "2026-10-02" {
		t.Errorf("list from env not split: %q", c.Complaints.Holidays)
	}
	if c.Demo() || c.WeChat.Outbox || c.Log.Format != "json" {
		t.Errorf("with an app id the service is not the demo: outbox=%v format=%s", c.WeChat.Outbox, c.Log.Format)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("valid file refused: %v", err)
	}
}

func TestValidateNamesEveryBadKey(t *testing.T) {
	t.Setenv("WXBOT_WECHAT_ENCODING_AES_KEY", "tooshort")
	t.Setenv("WXBOT_WECHAT_APP_SECRET", "secret-without-id")
	t.Setenv("WXBOT_STORE_DRIVER", "mongo")
	t.Setenv("WXBOT_LOG_LEVEL", "loud")
	t.Setenv("WXBOT_WECHAT_DEDUP_TTL", "5s")
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a ValidationError, got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"wechat.encoding_aes_key: must be 43 characters",
		"wechat.app_secret: set without wechat.app_id",
		`store.driver: unknown driver "mongo"`,
		`log.level: unknown level "loud"`,
		"wechat.dedup_ttl: must be at least 30s",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

func TestMissingFileIsAnError(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "nope.yaml")); err == nil {
		t.Fatal("a missing config file must be an error")
	}
}

package wxsim

import (
	"strings"
	"testing"
	"time"

	"github.com/hospital/wxbot/internal/testenv"
)

func vectors(t *testing.T) *Vectors {
	t.Helper()
	v, err := LoadVectors(testenv.SharedDir(t, "wechat-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOfficialSampleDecrypts(t *testing.T) {
	v := vectors(t).SafeModeDecrypt
	xml, appID, err := Decrypt(v.EncodingAESKey, v.Encrypt)
	if err != nil {
		t.Fatal(err)
	}
	if string(xml) != v.DecryptedXML {
		t.Errorf("decrypted\n%s\nwant\n%s", xml, v.DecryptedXML)
	}
	if appID != v.AppID {
		t.Errorf("app id %q, want %q", appID, v.AppID)
	}
	if got := Signature(v.Token, v.Timestamp, v.Nonce, v.Encrypt); got != v.MsgSignature {
		t.Errorf("msg_signature %s, want %s", got, v.MsgSignature)
	}
	if got := Signature(v.Token, v.Timestamp, v.Nonce); got != v.Signature {
		t.Errorf("signature %s, want %s", got, v.Signature)
	}
}

func TestOfficialPlainSignature(t *testing.T) {
	v := vectors(t).PlainModeSignature
	if got := Signature(v.Token, v.Timestamp, v.Nonce); got != v.Signature {
		t.Errorf("signature %s, want %s", got, v.Signature)
	}
}

func TestEncryptRoundTrip(t *testing.T) {
	key := "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	for _, msg := range []string{"", "<xml>短</xml>", strings.Repeat("血常规多少钱", 200)} {
		enc, err := Encrypt(key, "wxapp", []byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		got, app, err := Decrypt(key, enc)
		if err != nil || string(got) != msg || app != "wxapp" {
			t.Errorf("round trip of %d bytes: got %q app %q err %v", len(msg), got, app, err)
		}
	}
}

func TestBuildSafeModeVerifies(t *testing.T) {
	a := Account{Token: "tok", EncodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", AppID: "wxapp", OriginalID: "gh_1", Mode: Safe}
	now := time.Unix(1700000000, 0)
	req, err := a.Build(Text("gh_1", "u1", "你好", 1, now), "u1", now)
	if err != nil {
		t.Fatal(err)
	}
	q := req.Query
	if q.Get("encrypt_type") != "aes" || q.Get("signature") != Signature("tok", q.Get("timestamp"), q.Get("nonce")) {
		t.Fatalf("bad query %v", q)
	}
	if strings.Contains(string(req.Body), "你好") {
		t.Error("safe mode body must not carry plaintext")
	}
}

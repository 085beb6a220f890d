package handlers

import (
	"encoding/xml"
	"testing"
)

var envelopes = []string{
	"<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[QUJD+/==]]></Encrypt></xml>",
	"<xml>\n  <ToUserName><![CDATA[gh_1]]></ToUserName>\n  <Encrypt>QUJD+/==</Encrypt>\n</xml>\n",
	"<xml><Encrypt><![CDATA[a]]><![CDATA[b]]></Encrypt></xml>",
	"<xml><Encrypt>QU&#74;D</Encrypt></xml>",
	"<xml><!-- <Encrypt>x</Encrypt> --><Encrypt>QUJD</Encrypt></xml>",
	"<xml><Encrypt><![CDATA[QUJD]]></Encrypt>",
	"<xml><Encrypt></Encrypt></xml>",
	"<xml><a><Encrypt>QUJD</Encrypt></a></xml>",
	"<xml><ToUserName><![CDATA[gh_1]]></ToUserName><a><Encrypt>QUJD</Encrypt></a></xml>",
	"<xml><ToUserName><![CDATA[<Encrypt>]]></ToUserName><Encrypt>QUJD</Encrypt></xml>",
}

// The direct reading of WeChat's envelope gives what encoding/xml gives.
func TestEncryptOfAgreesWithEncodingXML(t *testing.T) {
	for _, body := range envelopes {
		checkEnvelope(t, []byte(body))
	}
	if v, _ := encryptOf([]byte(envelopes[0])); v != "QUJD+/==" {
		t.Errorf("CDATA envelope read as %q", v)
	}
	if v, _ := encryptOf([]byte(envelopes[3])); v != "QUJD" {
		t.Errorf("envelope with a character reference read as %q, want QUJD", v)
	}
}

func FuzzEncryptOf(f *testing.F) {
	for _, body := range envelopes {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkEnvelope(t, body) })
}

// checkEnvelope fails when encryptOf reads a different Encrypt than
// encoding/xml where both succeed.
func checkEnvelope(t *testing.T, body []byte) {
	t.Helper()
	got, err := encryptOf(body)
	var env envelope
	if xerr := xml.Unmarshal(body, &env); xerr == nil && err == nil && got != env.Encrypt {
		t.Errorf("encryptOf(%q) = %q, encoding/xml reads %q", body, got, env.Encrypt)
	}
}

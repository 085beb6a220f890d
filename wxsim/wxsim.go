// Package wxsim plays WeChat's servers: it builds the signed (and in safe mode
// encrypted) requests WeChat sends to an official account's webhook, and reads
// the replies. It is written from WeChat's documentation, independently of the
// SDK the service uses, so tests that use it check the service against the
// protocol rather than against the SDK. The chat command, the eval runner and
// the load tool use it too.
package wxsim

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Mode is how messages are sent: plaintext, compatible (plaintext fields plus
// Encrypt) or safe (Encrypt only).
type Mode int

// The three message modes of an official account.
const (
	Plain Mode = iota
	Compatible
	Safe
)

// Account is what WeChat's servers know of an official account.
type Account struct {
	Token          string
	EncodingAESKey string // 43 characters; empty for plaintext
	AppID          string
	OriginalID     string // ToUserName, e.g. gh_xxx
	Mode           Mode
}

// Signature computes sha1 of the sorted, concatenated parts, in hex.
func Signature(parts ...string) string {
	p := append([]string(nil), parts...)
	sort.Strings(p)
	h := sha1.Sum([]byte(strings.Join(p, "")))
	return hex.EncodeToString(h[:])
}

// AESKey decodes an EncodingAESKey into the 32-byte key.
func AESKey(encodingAESKey string) ([]byte, error) {
	if len(encodingAESKey) != 43 {
		return nil, fmt.Errorf("EncodingAESKey must be 43 characters, got %d", len(encodingAESKey))
	}
	k, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil {
		return nil, fmt.Errorf("decode EncodingAESKey: %w", err)
	}
	if len(k) != 32 {
		return nil, errors.New("EncodingAESKey does not decode to 32 bytes")
	}
	return k, nil
}

// Encrypt produces WeChat's Encrypt field: base64(AES-256-CBC(random16 |
// len(xml) big-endian uint32 | xml | appID)) with PKCS#7 padding to 32 bytes and
// IV = key[:16].
func Encrypt(encodingAESKey, appID string, xmlMsg []byte) (string, error) {
	key, err := AESKey(encodingAESKey)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	random := make([]byte, 16)
	if _, err := rand.Read(random); err != nil {
		return "", err
	}
	buf.Write(random)
	var l [4]byte
	binary.BigEndian.PutUint32(l[:], uint32(len(xmlMsg)))
	buf.Write(l[:])
	buf.Write(xmlMsg)
	buf.WriteString(appID)
	pad := 32 - buf.Len()%32
	buf.Write(bytes.Repeat([]byte{byte(pad)}, pad))
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	out := make([]byte, buf.Len())
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(out, buf.Bytes())
	return base64.StdEncoding.EncodeToString(out), nil
}

// Decrypt reverses Encrypt and returns the XML and the AppID it carried.
func Decrypt(encodingAESKey, encrypted string) (xmlMsg []byte, appID string, err error) {
	key, err := AESKey(encodingAESKey)
	if err != nil {
		return nil, "", err
	}
	raw, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil {
		return nil, "", fmt.Errorf("decode base64: %w", err)
	}
	if len(raw) == 0 || len(raw)%aes.BlockSize != 0 {
		return nil, "", errors.New("ciphertext is not a whole number of blocks")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, "", err
	}
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(plain, raw)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > 32 || pad > len(plain) {
		return nil, "", errors.New("bad padding")
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, "", errors.New("plaintext too short")
	}
	n := int(binary.BigEndian.Uint32(plain[16:20]))
	if 20+n > len(plain) {
		return nil, "", errors.New("length field exceeds plaintext")
	}
	return plain[20 : 20+n], string(plain[20+n:]), nil
}

// Text builds the XML of a text message from a user.
func Text(to, from, content string, msgID int64, at time.Time) []byte {
	return []byte(fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId></xml>",
		to, from, at.Unix(), cdata(content), msgID))
}

// Voice builds the XML of a voice message; recognition is WeChat's speech
// recognition result ("" when it is off).
func Voice(to, from, mediaID, recognition string, msgID int64, at time.Time) []byte {
	return []byte(fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime><MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[%s]]></MediaId><Format><![CDATA[amr]]></Format>"+
		"<Recognition><![CDATA[%s]]></Recognition><MsgId>%d</MsgId></xml>",
		to, from, at.Unix(), mediaID, cdata(recognition), msgID))
}

// Image builds the XML of an image message.
func Image(to, from, mediaID string, msgID int64, at time.Time) []byte {
	return []byte(fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://example.invalid/p.jpg]]></PicUrl>"+
		"<MediaId><![CDATA[%s]]></MediaId><MsgId>%d</MsgId></xml>",
		to, from, at.Unix(), mediaID, msgID))
}

// Event builds the XML of an event (subscribe, unsubscribe, CLICK, VIEW, SCAN).
func Event(to, from, event, key string, at time.Time) []byte {
	return []byte(fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[%s]]></Event><EventKey><![CDATA[%s]]></EventKey></xml>",
		to, from, at.Unix(), event, cdata(key)))
}

func cdata(s string) string { return strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") }

// Nonce returns a random numeric nonce as WeChat sends.
func Nonce() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return strconv.FormatUint(uint64(binary.BigEndian.Uint32(b[:])), 10)
}

// Request is a webhook request as WeChat's servers send it.
type Request struct {
	Query url.Values
	Body  []byte
}

// URL returns base (e.g. http://host/wechat) with the request's query.
func (r Request) URL(base string) string { return base + "?" + r.Query.Encode() }

// HTTP returns an *http.Request for base.
func (r Request) HTTP(base string) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, r.URL(base), bytes.NewReader(r.Body))
	req.Header.Set("Content-Type", "text/xml")
	return req
}

// Build wraps xmlMsg as WeChat would at time at: the query carries timestamp,
// nonce, signature and openid; in compatible and safe mode also encrypt_type=aes
// and msg_signature, and the body carries Encrypt.
func (a Account) Build(xmlMsg []byte, openID string, at time.Time) (Request, error) {
	ts := strconv.FormatInt(at.Unix(), 10)
	nonce := Nonce()
	q := url.Values{}
	q.Set("timestamp", ts)
	q.Set("nonce", nonce)
	q.Set("signature", Signature(a.Token, ts, nonce))
	if openID != "" {
		q.Set("openid", openID)
	}
	if a.Mode == Plain {
		return Request{Query: q, Body: xmlMsg}, nil
	}
	enc, err := Encrypt(a.EncodingAESKey, a.AppID, xmlMsg)
	if err != nil {
		return Request{}, err
	}
	q.Set("encrypt_type", "aes")
	q.Set("msg_signature", Signature(a.Token, ts, nonce, enc))
	var body string
	if a.Mode == Safe {
		body = fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><Encrypt><![CDATA[%s]]></Encrypt></xml>", a.OriginalID, enc)
	} else {
		// Compatible mode: the plaintext fields and Encrypt side by side.
		inner := strings.TrimSuffix(strings.TrimSpace(string(xmlMsg)), "</xml>")
		body = inner + fmt.Sprintf("<Encrypt><![CDATA[%s]]></Encrypt></xml>", enc)
	}
	return Request{Query: q, Body: []byte(body)}, nil
}

// Handshake builds the GET request WeChat sends when the URL is configured.
func (a Account) Handshake(echostr string, at time.Time) url.Values {
	ts := strconv.FormatInt(at.Unix(), 10)
	nonce := Nonce()
	q := url.Values{}
	q.Set("timestamp", ts)
	q.Set("nonce", nonce)
	q.Set("signature", Signature(a.Token, ts, nonce))
	q.Set("echostr", echostr)
	return q
}

// Reply is a passive reply as a user's WeChat would show it.
type Reply struct {
	// Success is true for the bare `success` (or empty) answer: nothing shown.
	Success bool
	MsgType string // text, transfer_customer_service, ...
	Content string
	ToUser  string
	Raw     []byte // the reply XML (decrypted in safe mode)
}

type replyXML struct {
	ToUserName string `xml:"ToUserName"`
	MsgType    string `xml:"MsgType"`
	Content    string `xml:"Content"`
	Encrypt    string `xml:"Encrypt"`
	MsgSig     string `xml:"MsgSignature"`
	TimeStamp  string `xml:"TimeStamp"`
	Nonce      string `xml:"Nonce"`
}

// ParseReply reads a webhook's answer body. In compatible and safe mode an
// encrypted reply's MsgSignature is verified and the content decrypted, and the
// AppID it carries must be the account's.
func (a Account) ParseReply(body []byte) (Reply, error) {
	s := strings.TrimSpace(string(body))
	if s == "" || s == "success" {
		return Reply{Success: true}, nil
	}
	var x replyXML
	if err := xml.Unmarshal(body, &x); err != nil {
		return Reply{}, fmt.Errorf("parse reply: %w", err)
	}
	raw := body
	if x.Encrypt != "" {
		if Signature(a.Token, x.TimeStamp, x.Nonce, x.Encrypt) != x.MsgSig {
			return Reply{}, errors.New("reply MsgSignature does not verify")
		}
		plain, appID, err := Decrypt(a.EncodingAESKey, x.Encrypt)
		if err != nil {
			return Reply{}, fmt.Errorf("decrypt reply: %w", err)
		}
		if appID != a.AppID {
			return Reply{}, fmt.Errorf("reply carries AppID %q, want %q", appID, a.AppID)
		}
		raw = plain
		x = replyXML{}
		if err := xml.Unmarshal(plain, &x); err != nil {
			return Reply{}, fmt.Errorf("parse decrypted reply: %w", err)
		}
	}
	return Reply{MsgType: x.MsgType, Content: x.Content, ToUser: x.ToUserName, Raw: raw}, nil
}

// Client sends messages to a webhook as WeChat does and parses the replies.
type Client struct {
	Account Account
	URL     string // the webhook, e.g. http://127.0.0.1:8080/wechat
	HTTP    *http.Client
	Now     func() time.Time
	nextID  int64
}

// Send posts xmlMsg for openID and returns the parsed reply and the HTTP status.
func (c *Client) Send(xmlMsg []byte, openID string) (Reply, int, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	req, err := c.Account.Build(xmlMsg, openID, now())
	if err != nil {
		return Reply{}, 0, err
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := hc.Do(req.HTTP(c.URL))
	if err != nil {
		return Reply{}, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Reply{}, resp.StatusCode, err
	}
	if resp.StatusCode != http.StatusOK {
		return Reply{}, resp.StatusCode, fmt.Errorf("webhook answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	r, err := c.Account.ParseReply(body)
	return r, resp.StatusCode, err
}

// SendText sends a text message from openID with a fresh MsgId.
func (c *Client) SendText(openID, text string) (Reply, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	c.nextID++
	id := now().UnixNano() + c.nextID
	r, _, err := c.Send(Text(c.Account.OriginalID, openID, text, id, now()), openID)
	return r, err
}

package wxapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/officialaccount"
	offConfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/material"
	"github.com/silenceper/wechat/v2/officialaccount/menu"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/officialaccount/user"
	"go.uber.org/zap"

	"github.com/hospital/wxbot/store"
)

// maxMediaBytes bounds a downloaded temporary media file (WeChat's own limit is 10 MB).
const maxMediaBytes = 20 << 20

// ClientConfig configures the real WeChat client.
type ClientConfig struct {
	AppID          string
	AppSecret      string
	Token          string // the webhook token (kept for the SDK's config; unused outbound)
	EncodingAESKey string // the webhook AES key (kept for the SDK's config; unused outbound)
	// BaseURL replaces https://api.weixin.qq.com for every call (a fake server in
	// tests, a forward proxy in production). Default DefaultBaseURL.
	BaseURL string
	// Timeout bounds each HTTP request to WeChat. Default DefaultTimeout.
	Timeout time.Duration
}

// Client is the real WeChat API client, built on github.com/silenceper/wechat/v2.
// It is safe for concurrent use.
//
// The SDK's HTTP client is a process global: BaseURL and Timeout of the most
// recently created Client apply to every Client in the process (see transport.go).
type Client struct {
	oa       *officialaccount.OfficialAccount
	msg      *message.Manager
	tpl      *message.Template
	sub      *message.Subscribe
	user     *user.User
	menu     *menu.Menu
	media    *material.Material
	cache    *storeCache
	tokenKey string
	log      *zap.Logger
}

var _ API = (*Client)(nil)

// NewClient builds the WeChat client. The access token is the stable token
// (/cgi-bin/stable_token), cached in st so that several instances sharing a Redis
// store fetch it once and never invalidate each other. It installs the SDK's
// global HTTP client (timeouts, BaseURL rewrite) as a side effect.
func NewClient(cfg ClientConfig, st store.Store, log *zap.Logger) (*Client, error) {
	if cfg.AppID == "" || cfg.AppSecret == "" {
		return nil, errors.New("wxapi: app id and app secret are required")
	}
	if st == nil {
		return nil, errors.New("wxapi: a store is required for the access token cache")
	}
	if log == nil {
		log = zap.NewNop()
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("wxapi: base url %q: want http(s)://host[/path]", cfg.BaseURL)
	}
	installSDKTransport(base, cfg.Timeout)

	tc := &storeCache{st: st, log: log, timeout: cfg.Timeout}
	oa := officialaccount.NewOfficialAccount(&offConfig.Config{
		AppID:          cfg.AppID,
		AppSecret:      cfg.AppSecret,
		Token:          cfg.Token,
		EncodingAESKey: cfg.EncodingAESKey,
		Cache:          tc,
		UseStableAK:    true,
	})
	ctx := oa.GetContext()
	return &Client{
		oa:    oa,
		msg:   message.NewMessageManager(ctx),
		tpl:   message.NewTemplate(ctx),
		sub:   message.NewSubscribe(ctx),
		user:  user.NewUser(ctx),
		menu:  menu.NewMenu(ctx),
		media: material.NewMaterial(ctx),
		cache: tc,
		// The key the SDK's StableAccessToken caches under (credential package).
		tokenKey: fmt.Sprintf("%s_stable_access_token_%s", credential.CacheKeyOfficialAccountPrefix, cfg.AppID),
		log:      log,
	}, nil
}

// OfficialAccount returns the SDK account (for the webhook's GetServer). Its lazy
// getters are not safe for concurrent use: call GetServer only.
func (c *Client) OfficialAccount() *officialaccount.OfficialAccount { return c.oa }

// SendText sends a customer-service text message.
func (c *Client) SendText(ctx context.Context, openID, text string) error {
	_, err := call(ctx, c, APICustomSend, func() (struct{}, error) {
		return struct{}{}, c.msg.Send(message.NewCustomerTextMessage(openID, text))
	})
	return err
}

// SendTemplate sends a template message and returns WeChat's msgid.
func (c *Client) SendTemplate(ctx context.Context, m TemplateMessage) (int64, error) {
	data := make(map[string]*message.TemplateDataItem, len(m.Data))
	for k, v := range m.Data {
		data[k] = &message.TemplateDataItem{Value: v}
	}
	msg := &message.TemplateMessage{ToUser: m.ToUser, TemplateID: m.TemplateID, URL: m.URL, Data: data}
	return call(ctx, c, APITemplateSend, func() (int64, error) {
		return c.tpl.Send(msg)
	})
}

// SendSubscribe sends a subscribe (bizsend) message.
func (c *Client) SendSubscribe(ctx context.Context, m SubscribeMessage) error {
	data := make(map[string]*message.SubscribeDataItem, len(m.Data))
	for k, v := range m.Data {
		data[k] = &message.SubscribeDataItem{Value: v}
	}
	msg := &message.SubscribeMessage{ToUser: m.ToUser, TemplateID: m.TemplateID, Page: m.Page, Data: data}
	_, err := call(ctx, c, APISubscribeSend, func() (struct{}, error) {
		return struct{}{}, c.sub.Send(msg)
	})
	return err
}

// safeIDRE matches the openids and media ids WeChat issues; anything else could
// smuggle query parameters into the SDK's unescaped URLs.
var safeIDRE = regexp.MustCompile(`^[A-Za-z0-9_\-]{1,128}$`)

// UserInfo fetches a follower's info. An openid WeChat could not have issued
// returns Error 40003 without a call.
func (c *Client) UserInfo(ctx context.Context, openID string) (UserInfo, error) {
	if !safeIDRE.MatchString(openID) {
		return UserInfo{}, &Error{API: APIUserInfo, Code: 40003, Message: "invalid openid (checked locally)"}
	}
	return call(ctx, c, APIUserInfo, func() (UserInfo, error) {
		info, err := c.user.GetUserInfo(openID)
		if err != nil {
			return UserInfo{}, err
		}
		return UserInfo{OpenID: info.OpenID, Subscribe: info.Subscribe == 1, Nickname: info.Nickname, UnionID: info.UnionID}, nil
	})
}

// CreateMenu sets the custom menu. Invalid JSON returns Error 47001 without a call.
func (c *Client) CreateMenu(ctx context.Context, menuJSON []byte) error {
	if !json.Valid(menuJSON) {
		return &Error{API: APIMenuCreate, Code: 47001, Message: "data format error (checked locally)"}
	}
	_, err := call(ctx, c, APIMenuCreate, func() (struct{}, error) {
		return struct{}{}, c.menu.SetMenuByJSON(string(menuJSON))
	})
	return err
}

// GetMedia downloads a temporary media file. An unknown media id is Error 40007.
func (c *Client) GetMedia(ctx context.Context, mediaID string) (Media, error) {
	if !safeIDRE.MatchString(mediaID) {
		return Media{}, &Error{API: APIMediaGet, Code: 40007, Message: "invalid media_id (checked locally)"}
	}
	return call(ctx, c, APIMediaGet, func() (Media, error) {
		uri, err := c.media.GetMediaURL(mediaID)
		if err != nil {
			return Media{}, err
		}
		return download(ctx, uri)
	})
}

// download fetches a media URL; WeChat answers errors as JSON instead of the file.
func download(ctx context.Context, uri string) (Media, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return Media{}, err
	}
	resp, err := sdkHTTP.Do(req)
	if err != nil {
		return Media{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Media{}, fmt.Errorf("http get error : statusCode=%d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxMediaBytes+1))
	if err != nil {
		return Media{}, fmt.Errorf("read media: %w", err)
	}
	if len(data) > maxMediaBytes {
		return Media{}, fmt.Errorf("media larger than %d bytes", maxMediaBytes)
	}
	ct := resp.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	if mt == "application/json" || mt == "text/plain" || mt == "" {
		var e struct {
			ErrCode int    `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
		}
		if json.Unmarshal(data, &e) == nil && e.ErrCode != 0 {
			return Media{}, &Error{API: APIMediaGet, Code: e.ErrCode, Message: e.ErrMsg}
		}
	}
	return Media{ContentType: ct, Data: data}, nil
}

type result[T any] struct {
	v   T
	err *Error
}

// call runs one SDK call, normalising its error. If WeChat rejects the access
// token (40001/42001) the cached token is dropped and the call retried once. The
// SDK takes no context: the call runs in a goroutine bounded by the HTTP timeout,
// and call returns as soon as ctx is done.
func call[T any](ctx context.Context, c *Client, api string, fn func() (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, &Error{API: api, Message: err.Error(), Err: err}
	}
	r := await(ctx, api, fn)
	if isTokenError(r.err) {
		c.log.Info("wechat rejected the access token; refreshing and retrying once",
			zap.String("api", api), zap.Int("errcode", r.err.Code))
		if err := c.cache.Delete(c.tokenKey); err != nil {
			c.log.Warn("wechat token cache delete failed", zap.Error(err))
		}
		r = await(ctx, api, fn)
	}
	if r.err != nil {
		return zero, r.err
	}
	return r.v, nil
}

func await[T any](ctx context.Context, api string, fn func() (T, error)) result[T] {
	done := make(chan result[T], 1)
	go func() {
		v, err := fn()
		done <- result[T]{v: v, err: normalize(api, err)}
	}()
	select {
	case r := <-done:
		return r
	case <-ctx.Done():
		err := ctx.Err()
		return result[T]{err: &Error{API: api, Message: err.Error(), Err: err}}
	}
}

package wxapi

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/silenceper/wechat/v2/util"
)

// The SDK sends every request through the package global util.DefaultHTTPClient
// and takes no context. NewClient therefore installs, once per process, an
// http.Client whose RoundTripper
//   - redirects https://api.weixin.qq.com/... to the configured BaseURL, and
//   - bounds each request by the configured Timeout.
//
// Both values are read per request from sdkCurrent, which the most recently
// created Client sets. Consequence: all Clients in one process share the BaseURL
// and Timeout of the latest NewClient. In production there is one Client; tests
// that run several fake servers must not run them in parallel (t.Parallel) with
// Clients pointing at different URLs.

// DefaultBaseURL is WeChat's API origin.
const DefaultBaseURL = "https://api.weixin.qq.com"

// DefaultTimeout bounds one HTTP request to WeChat when ClientConfig.Timeout is 0.
const DefaultTimeout = 5 * time.Second

const wechatHost = "api.weixin.qq.com"

type sdkState struct {
	base    *url.URL // nil: the real api.weixin.qq.com
	timeout time.Duration
}

var (
	sdkInstall sync.Once
	sdkCurrent atomic.Pointer[sdkState]
	sdkHTTP    *http.Client
)

// installSDKTransport points the SDK's global HTTP client at base with timeout.
func installSDKTransport(base *url.URL, timeout time.Duration) {
	if base != nil && base.Host == wechatHost && base.Scheme == "https" && strings.Trim(base.Path, "/") == "" {
		base = nil
	}
	sdkCurrent.Store(&sdkState{base: base, timeout: timeout})
	sdkInstall.Do(func() {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns = 200
		tr.MaxIdleConnsPerHost = 100
		tr.IdleConnTimeout = 90 * time.Second
		sdkHTTP = &http.Client{Transport: &rewriteTransport{next: tr}}
		util.DefaultHTTPClient = sdkHTTP
	})
}

// rewriteTransport applies sdkCurrent to every request.
type rewriteTransport struct {
	next http.RoundTripper
}

func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	st := sdkCurrent.Load()
	timeout := DefaultTimeout
	var base *url.URL
	if st != nil {
		timeout, base = st.timeout, st.base
	}
	ctx, cancel := context.WithTimeout(req.Context(), timeout)
	out := req.Clone(ctx)
	if base != nil && strings.EqualFold(out.URL.Host, wechatHost) {
		u := *out.URL
		u.Scheme = base.Scheme
		u.Host = base.Host
		u.Path = strings.TrimSuffix(base.Path, "/") + u.Path
		u.RawPath = ""
		out.URL = &u
		out.Host = ""
	}
	resp, err := t.next.RoundTrip(out)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose releases the request's timeout context once the body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

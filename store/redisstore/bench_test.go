package redisstore_test

import (
	"testing"

	"github.com/hospital/wxbot/store/storetest"
)

// BenchmarkRedisSetNX is one dedup check of a WeChat message.
func BenchmarkRedisSetNX(b *testing.B) {
	s := newStore(b, redisAddr(b))
	defer s.Close()
	storetest.BenchSetNX(b, s)
}

func BenchmarkRedisSetNXParallel(b *testing.B) {
	s := newStore(b, redisAddr(b))
	defer s.Close()
	storetest.BenchSetNXParallel(b, s)
}

// BenchmarkRedisClaim is one push worker step: claim 10 recipients, ack them.
func BenchmarkRedisClaim(b *testing.B) {
	s := newStore(b, redisAddr(b))
	defer s.Close()
	storetest.BenchClaim(b, s)
}

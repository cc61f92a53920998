package ratelimit

import (
	"hash/maphash"
	"sync"
)

// shardCount spreads keys over this many locks, so clients rarely wait on each other.
const shardCount = 64

// shard is one lock's share of the keys, with an LRU list that the limiter decides the
// membership of (the attempt limiter keeps blocked keys out of it, so eviction never has to
// step over them).
type shard[T any, P linked[T]] struct {
	mu  sync.Mutex
	m   map[string]*T
	lru list[T, P]
}

// shardSet is the sharded map both limiters keep their state in.
type shardSet[T any, P linked[T]] struct {
	seed   maphash.Seed
	shards [shardCount]shard[T, P]
}

func (s *shardSet[T, P]) init() {
	s.seed = maphash.MakeSeed()
	for i := range s.shards {
		s.shards[i].m = map[string]*T{}
	}
}

func (s *shardSet[T, P]) of(key string) *shard[T, P] {
	return &s.shards[maphash.String(s.seed, key)%shardCount]
}

// each runs fn on every shard with its lock held.
func (s *shardSet[T, P]) each(fn func(*shard[T, P])) {
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		fn(sh)
		sh.mu.Unlock()
	}
}

// len is the number of keys kept.
func (s *shardSet[T, P]) len() int {
	n := 0
	s.each(func(sh *shard[T, P]) { n += len(sh.m) })
	return n
}

// perShard is the share of maxKeys one shard may hold.
func perShard(maxKeys int) int { return (maxKeys + shardCount - 1) / shardCount }

package main

import (
	"math"
	"testing"
	"time"
)

func TestBucketsRoundTrip(t *testing.T) {
	prev := -1
	for _, v := range []uint64{0, 1, 127, 128, 129, 255, 256, 1000, 12345, 1e6, 123456789, 5e9, 1 << 40, math.MaxUint64 >> 1} {
		i := bucketOf(v)
		if i < prev || i >= nBuckets {
			t.Fatalf("bucketOf(%d) = %d (prev %d, n %d)", v, i, prev, nBuckets)
		}
		prev = i
		got := valueOf(i)
		if v >= subCount && math.Abs(got-float64(v))/float64(v) > 1.0/subCount {
			t.Errorf("valueOf(bucketOf(%d)) = %f: more than 1/%d off", v, got, subCount)
		}
	}
}

func TestQuantile(t *testing.T) {
	var h histogram
	for i := 1; i <= 1000; i++ {
		h.record(time.Duration(i) * time.Millisecond)
	}
	for q, want := range map[float64]float64{0.5: 500e6, 0.99: 990e6} {
		if got := h.quantile(q); math.Abs(got-want)/want > 0.01 {
			t.Errorf("quantile(%v) = %v, want about %v", q, got, want)
		}
	}
}

func TestDistinctIPs(t *testing.T) {
	seen := map[string]bool{}
	for _, n := range []uint64{0, 1, 255, 256, 65535, 65536, 1<<24 - 1, 1 << 24, 1<<24 + 1} {
		s := string(appendIP(nil, n))
		if seen[s] {
			t.Fatalf("address %s repeats", s)
		}
		seen[s] = true
	}
	if got := string(appendIP(nil, 1<<24+258)); got != "11.0.1.2" {
		t.Errorf("appendIP(1<<24+258) = %s", got)
	}
}

func TestTemplate(t *testing.T) {
	tp := newTemplate(`{"portalName":"b{n}x","email":"o{n}@example.com"}`)
	if got := string(tp.appendTo(nil, 42)); got != `{"portalName":"b42x","email":"o42@example.com"}` {
		t.Errorf("got %s", got)
	}
}

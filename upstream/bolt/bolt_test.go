package bolt

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/hostedgate/hostedgate/upstream"
	"github.com/hostedgate/hostedgate/upstream/storetest"
)

func openTemp(t *testing.T, opts Options) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hostedgate.db")
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, path
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) upstream.Store {
		s, _ := openTemp(t, Options{})
		return s
	})
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hostedgate.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	kept, err := s.Register(ctx, storetest.Request("persisted"))
	if err != nil {
		t.Fatal(err)
	}
	gone, err := s.Register(ctx, storetest.Request("removed"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Remove(ctx, upstream.ByID(gone.ID)); err != nil {
		t.Fatal(err)
	}
	paused, err := s.Register(ctx, storetest.Request("paused"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetStatus(ctx, upstream.ByID(paused.ID), upstream.Suspended); err != nil {
		t.Fatal(err)
	}
	quota := upstream.NormalizeQuota(7, time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC), "portals:3", 1500000, 0)
	if _, _, err := s.SetTariff(ctx, upstream.ByID(kept.ID), quota); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveSetting(ctx, upstream.ByID(upstream.GlobalScope), "web.portal-name", "Office"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	got, err := s.Tenant(ctx, upstream.ByAlias("persisted"))
	if err != nil || got.ID != kept.ID || got.Owner != kept.Owner || !got.Created.Equal(kept.Created) {
		t.Fatalf("after reopen: %+v, %v; want %+v", got, err, kept)
	}
	if got, err := s.Tenant(ctx, upstream.ByID(gone.ID)); err != nil || got.Alias != "removed_deleted" || got.Status != upstream.RemovePending {
		t.Fatalf("removed tenant after reopen: %+v, %v", got, err)
	}
	if _, q, err := s.Tariff(ctx, upstream.ByID(kept.ID)); err != nil || q.ActiveUsers != 7 || q.MaxFileSize != 1048576 || !q.DueDate.Equal(quota.DueDate) {
		t.Fatalf("tariff after reopen: %+v, %v", q, err)
	}
	if v, ok, err := s.Setting(ctx, upstream.ByID(upstream.GlobalScope), "web.portal-name"); err != nil || !ok || v != "Office" {
		t.Fatalf("setting after reopen: %q %v %v", v, ok, err)
	}
	// The id sequence and the Active counter survive too: one Active tenant, so MaxActive 2
	// admits exactly one more, and it gets a new id.
	req := storetest.Request("another")
	req.MaxActive = 2
	next, err := s.Register(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if next.ID <= paused.ID {
		t.Fatalf("id %d after reopen, not above %d", next.ID, paused.ID)
	}
	req = storetest.Request("onetoomany")
	req.MaxActive = 2
	if _, err := s.Register(ctx, req); !errors.Is(err, upstream.ErrPortalLimit) {
		t.Fatalf("third Active after reopen: %v, want ErrPortalLimit", err)
	}
}

// TestActiveCounterRecountedOnOpen damages the counter on disk and checks that Open repairs it,
// because MaxActive is only as exact as that counter.
func TestActiveCounterRecountedOnOpen(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t, Options{})
	for _, a := range []string{"count1", "count2"} {
		if _, err := s.Register(ctx, storetest.Request(a)); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Close()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bucketMeta).Put(metaActive, encodeUint(40)) }); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	req := storetest.Request("count3")
	req.MaxActive = 3
	if _, err := s.Register(ctx, req); err != nil {
		t.Fatalf("Register with 2 of 3 Active after recount: %v", err)
	}
}

func TestSchemaVersionChecked(t *testing.T) {
	s, path := openTemp(t, Options{})
	_ = s.Close()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bucketMeta).Put(metaSchema, encodeUint(99)) }); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	if s, err := Open(path, Options{}); err == nil {
		_ = s.Close()
		t.Fatal("Open accepted a file with layout version 99")
	} else if !strings.Contains(err.Error(), "version 99") {
		t.Fatalf("Open error %q does not name the version", err)
	}
}

func TestFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "hostedgate")
	path := filepath.Join(dir, "store.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		path string
		want os.FileMode
	}{{dir, 0o700}, {path, 0o600}} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		// The umask may only remove bits, so no group or other bit may be set.
		if perm := fi.Mode().Perm(); perm&^c.want != 0 || perm&0o077 != 0 {
			t.Errorf("%s has mode %v, want %v", c.path, perm, c.want)
		}
	}
}

func TestOpenEmptyPath(t *testing.T) {
	if _, err := Open("", Options{}); err == nil {
		t.Fatal("Open(\"\") succeeded")
	}
}

func TestSecondOpenFailsWhileLocked(t *testing.T) {
	_, path := openTemp(t, Options{})
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		s, err := Open(path, Options{Timeout: 200 * time.Millisecond})
		if err == nil {
			_ = s.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("second Open of a locked file succeeded")
		}
		if !errors.Is(err, ErrLocked) || !errors.Is(err, bbolt.ErrTimeout) {
			t.Fatalf("second Open: %v, want an error wrapping ErrLocked and bbolt.ErrTimeout", err)
		}
		if !strings.Contains(err.Error(), path) {
			t.Fatalf("error %q does not name the file", err)
		}
		if elapsed := time.Since(start); elapsed < 150*time.Millisecond {
			t.Fatalf("gave up after %s, before the 200ms timeout", elapsed)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("second Open hangs")
	}
}

func TestInjectedClock(t *testing.T) {
	ctx := context.Background()
	berlin := time.FixedZone("CET", 3600)
	now := time.Date(2024, 5, 1, 12, 20, 30, 123456700, berlin)
	s, _ := openTemp(t, Options{Now: func() time.Time { return now }})
	tn, err := s.Register(ctx, storetest.Request("clocked"))
	if err != nil {
		t.Fatal(err)
	}
	if !tn.Created.Equal(now) || tn.Created.Location() != time.UTC || !tn.StatusChanged.Equal(now) {
		t.Fatalf("Created %v StatusChanged %v, want %v in UTC", tn.Created, tn.StatusChanged, now)
	}
	now = now.Add(time.Hour)
	got, err := s.SetStatus(ctx, upstream.ByID(tn.ID), upstream.Suspended)
	if err != nil || !got.StatusChanged.Equal(now) || !got.Created.Equal(tn.Created) {
		t.Fatalf("SetStatus: %+v, %v; want StatusChanged %v", got, err, now)
	}
	now = now.Add(time.Hour)
	if _, err := s.Remove(ctx, upstream.ByID(tn.ID)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Tenant(ctx, upstream.ByID(tn.ID)); err != nil || !got.StatusChanged.Equal(now) {
		t.Fatalf("after Remove: StatusChanged %v, %v; want %v", got.StatusChanged, err, now)
	}
}

func TestErrorsCarryContext(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t, Options{})
	if _, err := s.Register(ctx, storetest.Request("example")); err != nil {
		t.Fatal(err)
	}
	_, err := s.Register(ctx, storetest.Request("example"))
	if want := `bolt: register "example": portal name already taken`; err == nil || err.Error() != want {
		t.Fatalf("error %q, want %q", err, want)
	}
	_, err = s.SetStatus(ctx, upstream.ByID(42), upstream.Active)
	if want := `bolt: set status of tenant 42 to Active: portal not found`; err == nil || err.Error() != want {
		t.Fatalf("error %q, want %q", err, want)
	}
}

// TestPasswordNotInFile looks for the plaintext in the raw database file, which covers every
// bucket and any leftover page, not just the tenant JSON.
func TestPasswordNotInFile(t *testing.T) {
	const secret = "Plaintext-Must-Not-Hit-Disk-42"
	s, path := openTemp(t, Options{})
	req := storetest.Request("secretive")
	req.Password = secret
	if _, err := s.Register(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(secret)) {
		t.Fatal("the database file contains the plaintext password")
	}
	if !bytes.Contains(raw, []byte("$argon2id$v=19$")) {
		t.Fatal("the database file holds no argon2id hash")
	}
}

const crashEnv = "HOSTEDGATE_BOLT_CRASH_DB"

// TestCrashChild is the child half of TestCrashKeepsAcknowledged: it registers portals until it
// is killed and prints each alias only after Register returned nil.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("runs only as the child of TestCrashKeepsAcknowledged")
	}
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// The deadline only ends an orphan whose parent died; normally SIGKILL comes first.
	deadline := time.Now().Add(2 * time.Minute)
	for i := 0; time.Now().Before(deadline); i++ {
		alias := fmt.Sprintf("crash%06d", i)
		if _, err := s.Register(context.Background(), storetest.Request(alias)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if _, err := os.Stdout.WriteString("ack " + alias + "\n"); err != nil {
			os.Exit(2)
		}
	}
	os.Exit(3)
}

// TestCrashKeepsAcknowledged kills a process that is registering portals, with SIGKILL so no
// deferred code or Close runs, and checks that every registration it acknowledged is in the
// file afterwards and that the file opens cleanly. A kill cannot drop what the kernel already
// holds, so this proves the ordering (acknowledged means committed) and crash consistency of a
// half-written transaction; the fsync on every commit is what covers power loss.
func TestCrashKeepsAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	const beforeKill = 25
	var acked []string
	lines := bufio.NewScanner(stdout)
	for len(acked) < beforeKill && lines.Scan() {
		if alias, ok := strings.CutPrefix(lines.Text(), "ack "); ok {
			acked = append(acked, alias)
		}
	}
	if len(acked) < beforeKill {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("child acknowledged %d registrations before ending: %s", len(acked), stderr.String())
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL on Unix
		t.Fatal(err)
	}
	// Lines written before the kill are still in the pipe, and they were acknowledged too.
	for lines.Scan() {
		if alias, ok := strings.CutPrefix(lines.Text(), "ack "); ok {
			acked = append(acked, alias)
		}
	}
	if err := cmd.Wait(); err == nil {
		t.Fatal("child exited normally instead of being killed")
	}

	s, err := Open(path, Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, alias := range acked {
		if _, err := s.Tenant(ctx, upstream.ByAlias(alias)); err != nil {
			t.Errorf("acknowledged %s lost: %v", alias, err)
		}
	}
	all, err := s.FindPortals(ctx, upstream.PortalQuery{})
	if err != nil {
		t.Fatal(err)
	}
	// At most the one registration in flight at the kill may be stored without its ack.
	if len(all) < len(acked) || len(all) > len(acked)+1 {
		t.Fatalf("%d tenants stored, %d acknowledged", len(all), len(acked))
	}
	if err := s.db.View(func(tx *bbolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	}); err != nil {
		t.Fatalf("file inconsistent after kill: %v", err)
	}
	t.Logf("%d acknowledged registrations, %d stored", len(acked), len(all))
}

// BenchmarkRegisterParallel registers distinct portals from 32 goroutines, as a busy sign-up
// would: with group commit they share fsyncs.
func BenchmarkRegisterParallel(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var n atomic.Int64
	b.SetParallelism(16) // 32 goroutines on 2 CPUs
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := storetest.Request(fmt.Sprintf("bench%d", n.Add(1)))
			req.Password = ""
			if _, err := s.Register(context.Background(), req); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

package store

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/wardenhq/warden/permissions"
	"go.etcd.io/bbolt"
)

func TestOpen(t *testing.T) {
	t.Parallel()
	if _, err := Open(nil, t.TempDir()); err == nil {
		t.Error("Open(nil) succeeded")
	}
	profile := t.TempDir()
	db := openDB(t, profile)
	defer db.Close()
	for _, keep := range []int{-1, MaxKeep + 1} {
		if _, err := OpenOptions(db, profile, Options{Keep: keep}); err == nil {
			t.Errorf("Keep %d accepted", keep)
		}
	}
	s, err := Open(db, profile)
	if err != nil {
		t.Fatal(err)
	}
	if s.Keep() != DefaultKeep || s.Profile() != profile {
		t.Errorf("keep %d profile %s", s.Keep(), s.Profile())
	}
	for _, d := range []string{"plugins", "staging"} {
		if fi, err := os.Stat(filepath.Join(profile, d)); err != nil || !fi.IsDir() {
			t.Errorf("%s/ not created: %v", d, err)
		}
	}
	err = db.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketInstalled) == nil {
			return errors.New("bucket installed missing")
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

func TestGetList(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t, Options{})
	if _, err := s.Get("com.example.a"); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("Get on empty store: %v", err)
	}
	if l, err := s.List(); err != nil || len(l) != 0 {
		t.Errorf("List on empty store: %v %v", l, err)
	}
	for _, id := range []string{"org.z.last", "com.example.b", "com.example.a"} {
		mustInstall(t, s, id, "1.0.0")
	}
	l, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range l {
		ids = append(ids, p.ID)
	}
	if !slices.Equal(ids, []string{"com.example.a", "com.example.b", "org.z.last"}) {
		t.Errorf("List ids %v, want sorted", ids)
	}
	// Returned records are copies.
	l[0].Previous = append(l[0].Previous, "0.0.1")
	if p := mustGet(t, s, "com.example.a"); len(p.Previous) != 0 {
		t.Errorf("List result aliases the store: %v", p.Previous)
	}
}

func TestListUnsupportedRecord(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t, Options{})
	err := s.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketInstalled).Put([]byte("com.example.new"), []byte(`{"v":9}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.List(); !errors.Is(err, ErrUnsupportedRecord) {
		t.Errorf("List with a newer record: %v", err)
	}
	if _, err := s.Get("com.example.new"); !errors.Is(err, ErrUnsupportedRecord) {
		t.Errorf("Get of a newer record: %v", err)
	}
	// Uninstall still removes it, so a user is never stuck.
	if err := s.Uninstall(t.Context(), "com.example.new"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.List(); err != nil {
		t.Errorf("List after uninstall: %v", err)
	}
}

func TestSetters(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t, Options{})
	id := "com.example.a"
	mustInstall(t, s, id, "1.0.0")
	before := mustGet(t, s, id)

	if err := s.SetEnabled(id, false, "blocked by policy"); err != nil {
		t.Fatal(err)
	}
	if p := mustGet(t, s, id); p.Enabled || p.DisabledReason != "blocked by policy" {
		t.Errorf("after disable: %+v", p)
	}
	if err := s.SetEnabled(id, true, "ignored"); err != nil {
		t.Fatal(err)
	}
	if p := mustGet(t, s, id); !p.Enabled || p.DisabledReason != "" {
		t.Errorf("after enable: %+v", p)
	}

	at := time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC)
	g := permissions.Grants{"storage": {Permission: "storage", GrantedAt: at}, "http": {Permission: "http", GrantedAt: at}}
	if err := s.SetGrants(id, g); err != nil {
		t.Fatal(err)
	}
	if p := mustGet(t, s, id); len(p.Grants) != 2 || !p.Grants["http"].GrantedAt.Equal(at) || p.Grants["http"].Permission != "http" {
		t.Errorf("after SetGrants: %+v", p.Grants)
	}
	if err := s.SetPending(id, []string{"clipboard.read"}); err != nil {
		t.Fatal(err)
	}
	if p := mustGet(t, s, id); !slices.Equal(p.Pending, []string{"clipboard.read"}) {
		t.Errorf("after SetPending: %v", p.Pending)
	}
	if err := s.SetPending(id, nil); err != nil {
		t.Fatal(err)
	}
	p := mustGet(t, s, id)
	if len(p.Pending) != 0 {
		t.Errorf("after clearing pending: %v", p.Pending)
	}
	if !p.UpdatedAt.Equal(before.UpdatedAt) || p.Version != before.Version {
		t.Errorf("setters changed version fields: %+v", p)
	}

	for _, err := range []error{
		s.SetEnabled("com.example.none", true, ""),
		s.SetGrants("com.example.none", nil),
		s.SetPending("com.example.none", nil),
	} {
		if !errors.Is(err, ErrNotInstalled) {
			t.Errorf("setter on missing plugin: %v", err)
		}
	}
}

func TestModify(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t, Options{})
	id := "com.example.a"
	mustInstall(t, s, id, "1.0.0")
	mustInstall(t, s, id, "1.1.0")

	got, err := s.Modify(id, func(p *Plugin) error {
		p.Pending = nil
		p.Enabled = true
		p.Range = ">=1.2 <2"
		return nil
	})
	if err != nil || got.Range != ">=1.2 <2" {
		t.Fatalf("Modify: %+v %v", got, err)
	}

	forbidden := []func(*Plugin){
		func(p *Plugin) { p.ID = "com.example.b" },
		func(p *Plugin) { p.Version = "1.0.0" },
		func(p *Plugin) { p.Previous = nil },
		func(p *Plugin) { p.InstalledAt = p.InstalledAt.Add(time.Second) },
	}
	for i, f := range forbidden {
		_, err := s.Modify(id, func(p *Plugin) error { f(p); return nil })
		if !errors.Is(err, ErrInvalidRecord) {
			t.Errorf("forbidden change %d: %v, want ErrInvalidRecord", i, err)
		}
	}
	if _, err := s.Modify(id, func(p *Plugin) error { p.Range = "nope"; return nil }); !errors.Is(err, ErrInvalidRecord) {
		t.Errorf("bad range: %v", err)
	}
	abort := errors.New("abort")
	if _, err := s.Modify(id, func(p *Plugin) error { p.Enabled = false; return abort }); !errors.Is(err, abort) {
		t.Errorf("aborting fn: %v", err)
	}
	if p := mustGet(t, s, id); !p.Enabled || p.Version != "1.1.0" || p.Range != ">=1.2 <2" {
		t.Errorf("refused changes were written: %+v", p)
	}
}

func TestRollback(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t, Options{Keep: 2})
	id := "com.example.a"
	if _, err := s.Rollback(t.Context(), id); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("rollback of missing plugin: %v", err)
	}
	mustInstall(t, s, id, "1.0.0")
	if _, err := s.Rollback(t.Context(), id); !errors.Is(err, ErrNoPrevious) {
		t.Errorf("rollback with one version: %v", err)
	}
	mustInstall(t, s, id, "1.1.0")
	mustInstall(t, s, id, "2.0.0")
	if err := s.SetPending(id, []string{"http"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetEnabled(id, false, "update needs approval"); err != nil {
		t.Fatal(err)
	}

	p, err := s.Rollback(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Version != "1.1.0" || !slices.Equal(p.Previous, []string{"2.0.0", "1.0.0"}) || len(p.Pending) != 0 || p.Enabled {
		t.Errorf("after rollback: %+v", p)
	}
	if got := mustGet(t, s, id); got.Version != p.Version || !slices.Equal(got.Previous, p.Previous) {
		t.Errorf("stored %+v, returned %+v", got, p)
	}
	// A second rollback returns; the oldest stays kept.
	p, err = s.Rollback(t.Context(), id)
	if err != nil || p.Version != "2.0.0" || !slices.Equal(p.Previous, []string{"1.1.0", "1.0.0"}) {
		t.Errorf("second rollback: %+v %v", p, err)
	}
	for _, v := range p.versions() {
		if err := checkTree(s.Dir(id, v), id, v); err != nil {
			t.Error(err)
		}
	}

	if err := os.RemoveAll(s.Dir(id, "1.1.0")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rollback(t.Context(), id); !errors.Is(err, ErrMissingFiles) {
		t.Errorf("rollback to deleted files: %v", err)
	}
	if got := mustGet(t, s, id); got.Version != "2.0.0" {
		t.Errorf("failed rollback changed the record: %+v", got)
	}
}

func TestUninstall(t *testing.T) {
	t.Parallel()
	s, profile := newStore(t, Options{})
	mustInstall(t, s, "com.example.a", "1.0.0")
	mustInstall(t, s, "com.example.a", "1.1.0")
	mustInstall(t, s, "com.example.b", "1.0.0")
	if err := s.Uninstall(t.Context(), "com.example.a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("com.example.a"); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("record after uninstall: %v", err)
	}
	if got := dirNames(t, filepath.Join(profile, "plugins")); !slices.Equal(got, []string{"com.example.b"}) {
		t.Errorf("plugins/ after uninstall: %v", got)
	}
	if err := s.Uninstall(t.Context(), "com.example.a"); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("second uninstall: %v", err)
	}
	if err := s.Uninstall(t.Context(), "../../x"); !errors.Is(err, ErrInvalidRecord) {
		t.Errorf("uninstall of a path: %v", err)
	}
	// Reinstalling after uninstall starts afresh.
	mustInstall(t, s, "com.example.a", "1.0.0")
	if p := mustGet(t, s, "com.example.a"); len(p.Previous) != 0 {
		t.Errorf("reinstall kept old versions: %v", p.Previous)
	}
}

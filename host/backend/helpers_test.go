package backend

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
)

// fakeStore is a HostFunc backed by a map that implements the storage and log commands
// and records every call.
type fakeStore struct {
	mu    sync.Mutex
	data  map[string]string
	calls []hostCallRecord
	deny  map[string]bool
}

type hostCallRecord struct {
	pluginID, cmd string
	args          string
}

type denied struct{}

func (denied) Error() string { return "permission storage not granted" }
func (denied) Code() string  { return "denied" }

func newFakeStore() *fakeStore { return &fakeStore{data: map[string]string{}, deny: map[string]bool{}} }

func (s *fakeStore) host(_ context.Context, c HostCall) ([]byte, error) {
	pluginID, cmd, args := c.PluginID, string(c.Command), c.Args
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, hostCallRecord{pluginID, cmd, string(args)})
	if s.deny[cmd] {
		return nil, denied{}
	}
	var a struct {
		Key, Value, Prefix string
	}
	if err := json.Unmarshal(args, &a); err != nil {
		return nil, err
	}
	switch cmd {
	case "storage.get":
		v, ok := s.data[a.Key]
		if !ok {
			return []byte(`{"value":null,"found":false}`), nil
		}
		return json.Marshal(map[string]any{"value": v, "found": true})
	case "storage.set":
		s.data[a.Key] = a.Value
		return nil, nil
	case "storage.delete":
		delete(s.data, a.Key)
		return nil, nil
	case "storage.list":
		keys := []string{}
		for k := range s.data {
			if strings.HasPrefix(k, a.Prefix) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		return json.Marshal(map[string]any{"keys": keys})
	case "log":
		return nil, nil
	}
	return nil, errors.New("unknown command " + cmd)
}

func (s *fakeStore) get(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data[key]
}

// newEngine makes an Engine on the shared cache dir, closed when t ends.
func newEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := NewEngine(context.Background(), sharedCache)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close(context.Background()) })
	return e
}

func compile(t testing.TB, e *Engine, cfg Config) *Module {
	t.Helper()
	m, err := e.Compile(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	return m
}

package backend

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestOutputAndHostCallLimits: on both call paths, a guest's output over
// MaxOutput is refused before it is copied out (and the module goes on
// answering), and a host call whose arguments exceed MaxInput is refused
// without reaching the HostFunc.
func TestOutputAndHostCallLimits(t *testing.T) {
	const maxOutput, maxInput = 4 << 10, 1 << 10
	for _, sdk := range []bool{false, true} {
		t.Run("sdk="+strconv.FormatBool(sdk), func(t *testing.T) {
			forceSDKPath = sdk
			e := newEngine(t)
			st := newFakeStore()
			m := compile(t, e, Config{PluginID: "dev.warden.relay", Wasm: misbehaveWasm, Host: st.host,
				MaxOutput: maxOutput, MaxInput: maxInput})
			forceSDKPath = false
			ctx := context.Background()
			_, err := m.Call(ctx, "big", []byte(strconv.Itoa(maxOutput)))
			if !errors.Is(err, ErrOutputTooLarge) || !strings.Contains(err.Error(), "limit 4096") {
				t.Fatalf("big output: %v, want ErrOutputTooLarge naming the limit", err)
			}
			if out, err := m.Call(ctx, "big", []byte("3")); err != nil || string(out) != `"xxx"` {
				t.Fatalf("small output after: %s, %v", out, err)
			}
			// Within the input limit, arguments the guest builds over it.
			out, err := m.Call(ctx, "hostloop", []byte(`{"cmd":"storage.set","args":{"key":"k","value":"`+strings.Repeat("v", 900)+`"},"n":1}`))
			if err != nil || string(out) != `{"ok":1}` {
				t.Fatalf("host call within the limit: %s, %v", out, err)
			}
			calls := len(st.calls)
			// The guest re-encodes each "<" as \u003c: 200 of them in its
			// input make 1,200 bytes of arguments.
			out, err = m.Call(ctx, "hostloop", []byte(`{"cmd":"storage.list","args":{"prefix":"`+strings.Repeat("<", 200)+`"},"n":1}`))
			if err != nil || string(out) != `{"too_large":1}` {
				t.Fatalf("host call over the limit: %s, %v", out, err)
			}
			if len(st.calls) != calls {
				t.Fatal("the HostFunc saw arguments over the limit")
			}
		})
	}
}

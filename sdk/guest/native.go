//go:build !wasip1

package guest

import (
	"encoding/json"
	"errors"
	"sync"
)

// NativeHost stands in for the Warden host when the package is built for a platform other
// than wasip1, so a backend's handlers can be called from plain Go tests. It is not safe
// to run handlers concurrently against one NativeHost.
type NativeHost struct {
	// In is the input of the next call.
	In []byte
	// Out is the output last set by the plugin.
	Out []byte
	// Err is the error message last set by the plugin.
	Err string
	// Config answers Config.
	Config map[string]string
	// Call answers the capability gateway; an error implementing Code() string supplies
	// the reply's code. Nil refuses every call with code "unavailable".
	Call func(cmd string, args []byte) (result []byte, err error)
}

var (
	nativeMu   sync.Mutex
	nativeHost = &NativeHost{}
)

// UseNativeHost makes h serve the SDK's host calls (outside WebAssembly only) and returns
// the previous one.
func UseNativeHost(h *NativeHost) (previous *NativeHost) {
	nativeMu.Lock()
	defer nativeMu.Unlock()
	previous, nativeHost = nativeHost, h
	return previous
}

func currentNative() *NativeHost {
	nativeMu.Lock()
	defer nativeMu.Unlock()
	return nativeHost
}

func hostInput() []byte {
	return append([]byte(nil), currentNative().In...)
}

func hostOutput(b []byte) { currentNative().Out = append([]byte(nil), b...) }

func hostSetError(msg string) { currentNative().Err = msg }

func hostConfig(key string) (string, bool) {
	v, ok := currentNative().Config[key]
	return v, ok
}

func hostCall(cmd string, args []byte) []byte {
	h := currentNative()
	if h.Call == nil {
		return encodeNativeReply(nil, &HostError{Code: "unavailable", Message: "no host"})
	}
	return encodeNativeReply(h.Call(cmd, args))
}

// encodeNativeReply builds the gateway's JSON reply the way the real host does.
func encodeNativeReply(result []byte, err error) []byte {
	if err != nil {
		code, msg := "error", err.Error()
		var c interface{ Code() string }
		var he *HostError
		switch {
		case errors.As(err, &he):
			code, msg = he.Code, he.Message
		case errors.As(err, &c):
			code = c.Code()
		}
		b, _ := json.Marshal(map[string]any{"ok": false, "error": map[string]string{"code": code, "message": msg}})
		return b
	}
	if len(result) == 0 {
		result = []byte("null")
	}
	b, _ := json.Marshal(map[string]any{"ok": true, "result": json.RawMessage(result)})
	return b
}

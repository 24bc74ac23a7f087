// Command misbehave is a test backend whose exports break the rules on purpose.
package main

import (
	"errors"
	"strings"

	"github.com/wardenhq/warden/sdk/guest"
)

// echo returns its input unchanged.
//
//go:wasmexport echo
func echo() int32 {
	return guest.Handle(func(in []byte) ([]byte, error) { return in, nil })
}

var sink int

// loop never returns.
//
//go:wasmexport loop
func loop() int32 {
	for i := 0; ; i++ {
		sink = i
	}
}

var hoard [][]byte

// alloc keeps allocating until the memory limit stops it.
//
//go:wasmexport alloc
func alloc() int32 {
	for {
		b := make([]byte, 8<<20)
		b[0] = 1
		hoard = append(hoard, b)
	}
}

// panic panics outside guest.Handle, so the Go runtime aborts.
//
//go:wasmexport panic
func panicking() int32 {
	panic("misbehave: deliberate panic")
}

// fail reports an error through error_set.
//
//go:wasmexport fail
func fail() int32 {
	return guest.Handle(func([]byte) ([]byte, error) { return nil, errors.New("deliberate failure") })
}

// hostcall forwards its input {"cmd":..., "args":...} to warden_call and returns the
// result, or the host's error as {"code":...,"message":...}.
//
//go:wasmexport hostcall
func hostcall() int32 {
	type req struct {
		Cmd  string `json:"cmd"`
		Args any    `json:"args"`
	}
	type resp struct {
		Result any    `json:"result,omitempty"`
		Code   string `json:"code,omitempty"`
		Msg    string `json:"message,omitempty"`
	}
	return guest.HandleJSON(func(r req) (resp, error) {
		var out any
		err := guest.Call(r.Cmd, r.Args, &out)
		var he *guest.HostError
		if errors.As(err, &he) {
			return resp{Code: he.Code, Msg: he.Message}, nil
		}
		if err != nil {
			return resp{}, err
		}
		return resp{Result: out}, nil
	})
}

// hostloop makes n host calls of cmd with args, as fast as it can, and
// returns how many ended with each code ("ok" for a success).
//
//go:wasmexport hostloop
func hostloop() int32 {
	type req struct {
		Cmd  string `json:"cmd"`
		Args any    `json:"args"`
		N    int    `json:"n"`
	}
	return guest.HandleJSON(func(r req) (map[string]int, error) {
		codes := map[string]int{}
		for range r.N {
			var out any
			err := guest.Call(r.Cmd, r.Args, &out)
			var he *guest.HostError
			switch {
			case errors.As(err, &he):
				codes[he.Code]++
			case err != nil:
				return nil, err
			default:
				codes["ok"]++
			}
		}
		return codes, nil
	})
}

// big returns a JSON string of as many bytes as its input (a number) says.
//
//go:wasmexport big
func big() int32 {
	return guest.HandleJSON(func(n int) (string, error) {
		return strings.Repeat("x", n), nil
	})
}

// config returns the host setting named by its input.
//
//go:wasmexport config
func config() int32 {
	return guest.HandleJSON(func(key string) (*string, error) {
		v, ok := guest.Config(key)
		if !ok {
			return nil, nil
		}
		return &v, nil
	})
}

func main() {}

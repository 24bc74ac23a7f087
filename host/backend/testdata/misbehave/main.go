// Command misbehave is a test backend whose exports break the rules on purpose.
package main

import (
	"errors"

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

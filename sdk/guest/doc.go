// Package guest is the Go SDK for Warden plugin backends: WebAssembly modules run by the
// host with Extism.
//
// A backend is a Go main package built with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o backend.wasm
//
// (`warden build` does this). Each command is an export taking no arguments and returning
// an int32 status; Handle and HandleJSON read the input, run the handler and set the
// output or the error:
//
//	//go:wasmexport greet
//	func greet() int32 {
//		return guest.HandleJSON(func(name string) (string, error) {
//			return "Hello, " + name + "!", nil
//		})
//	}
//
// Capabilities (storage, files, HTTP, logging, events) are reached through one host
// function, warden_call, which the host checks against the plugin's permissions exactly
// like a call from the plugin's page: a denied call returns a *HostError whose Code says
// why.
//
// Built for any platform other than wasip1 the package talks to an in-process
// NativeHost instead, so backend logic can be unit-tested with plain `go test`.
package guest

// Version is the SDK's version. Its module is tagged sdk/guest/v<Version>;
// `warden new` vendors this copy of it into new backends.
const Version = "0.1.0"

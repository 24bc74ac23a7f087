// Command hello is the backend of the hello example plugin: greet answers
// "Hello, <name>!".
package main

//lint:file-ignore U1000 the exports are called by the host through //go:wasmexport

import (
	"errors"

	"github.com/wardenhq/warden/sdk/guest"
)

// errEmptyName is returned for an empty name.
var errEmptyName = errors.New("name must not be empty")

// greet takes a JSON string and returns the JSON string "Hello, <name>!".
//
//go:wasmexport greet
func greet() int32 {
	return guest.HandleJSON(greeting)
}

// greeting builds the greeting.
func greeting(name string) (string, error) {
	if name == "" {
		return "", errEmptyName
	}
	return "Hello, " + name + "!", nil
}

func main() {}

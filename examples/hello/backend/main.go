// Command hello is the backend of the hello example plugin: greet answers "Hello, <name>!"
// and counts the greetings in the plugin's storage.
package main

//lint:file-ignore U1000 the exports are called by the host through //go:wasmexport

import (
	"errors"
	"strconv"

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

// greeting builds the greeting, logs it and bumps the "greetings" counter.
func greeting(name string) (string, error) {
	if name == "" {
		return "", errEmptyName
	}
	if err := guest.Log("info", "greeting "+name); err != nil {
		return "", err
	}
	n, _, err := guest.StorageGet("greetings")
	if err != nil {
		return "", err
	}
	count, _ := strconv.Atoi(n) // a missing or damaged counter starts again at zero
	if err := guest.StorageSet("greetings", strconv.Itoa(count+1)); err != nil {
		return "", err
	}
	return "Hello, " + name + "!", nil
}

func main() {}

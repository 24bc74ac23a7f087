// Package backend runs the WebAssembly backends of Warden plugins with Extism.
//
// An Engine owns the compilation cache shared by all plugins. Compile turns one plugin
// version's wasm into a Module; a Module keeps a bounded pool of instances and runs
// exports on them with a timeout, a memory ceiling and an input size limit. Guests reach
// capabilities only through the warden_call host function, which forwards every command
// to the core's HostFunc: this package never grants anything itself.
package backend

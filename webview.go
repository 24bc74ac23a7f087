package warden

// WebviewArg is the argument a plugin window's webview process is started
// with when Config.Window names no Executable: the application's binary,
// re-executed with this single argument, must call webview.Serve (package
// github.com/wardenhq/warden/host/webview) first thing in main. An
// application that would rather not link WebKitGTK into its main binary
// builds a second program that calls webview.RunProcess, and names it in
// Config.Window.Executable (the warden command's is cmd/warden-webview).
const WebviewArg = "warden-webview"

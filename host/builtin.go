package host

// BuiltinCommands returns the core's own capability table without
// handlers: every command, the permission it needs and who may call it, as
// every Host starts with (Host.Commands lists it and an application's
// capabilities). It is for tools that check a plugin without opening a
// profile, such as `warden lint`. "backend.<name>" commands are not
// listed; each needs the permission of its own name and only the page may
// call it. Cost: one small slice per call.
func BuiltinCommands() []Capability {
	caps := (&Host{}).builtinCapabilities()
	for i := range caps {
		caps[i].Handle = nil
	}
	return caps
}

// Package lint checks a plugin, from its source directory or a bundle,
// the way an author wants it checked before publishing: the manifest's
// schema and rules (with file:line), a content security policy that would
// loosen Warden's, permissions declared but never used or used but never
// declared (from the page's warden.invoke calls and the Go backend's guest
// SDK calls), backend commands invoked but not declared, oversized files,
// missing icons, and a host range that excludes this Warden. Each problem
// is a [Finding] with a stable rule id. `warden lint` prints them, and
// `warden pack` refuses a plugin with errors.
package lint

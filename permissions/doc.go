// Package permissions is Warden's permission model: the catalog of
// permissions a plugin may ask for, the scope syntaxes (filesystem globs over
// portable directory variables and Chrome-style URL match patterns), the
// user's consent records, the admin's ceiling, and the decision that the
// mediator takes for every invoke.
//
// The decision is built in two steps. [Compile] turns what a plugin declared,
// what the user granted, what the admin allows and the machine's scope
// directories into an immutable [Subject]; [Subject.Decide] then answers each
// request without allocating when it allows. Deny always wins: a request is
// allowed only when it is a known permission, declared by the plugin, under
// the admin's ceiling, granted by the user (unless the permission is
// implicit) and inside the declared scopes.
package permissions

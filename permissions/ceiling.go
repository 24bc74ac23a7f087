package permissions

// Ceiling is the admin's limit. Blocked holds permission names or patterns
// in which "*" matches any run of characters ("http", "fs.*", "backend.*",
// "*"). A blocked permission is denied whatever the grants say.
type Ceiling struct {
	Blocked []string
}

// Allows reports whether perm is under the ceiling. It costs one glob match
// per blocked entry and does not allocate.
func (c Ceiling) Allows(perm string) bool {
	for _, b := range c.Blocked {
		if matchStar(b, cat3{a: perm}) {
			return false
		}
	}
	return true
}

package policy

// fileJSON is the policy file as written; see the package documentation.
type fileJSON struct {
	PolicyVersion     int64  `json:"policy_version"`
	Description       string `json:"description"`
	Default           string `json:"default"`
	RequireSignatures bool   `json:"require_signatures"`
	// RequireNetworkIsolation and DeveloperMode are pointers so that a
	// file can say false explicitly; nil is the default.
	RequireNetworkIsolation *bool         `json:"require_network_isolation"`
	DeveloperMode           *bool         `json:"developer_mode"`
	TrustedKeys             []string      `json:"trusted_keys"`
	BlockedPermissions      []string      `json:"blocked_permissions"`
	Ceilings                *ceilingsJSON `json:"ceilings"`
	Plugins                 []entryJSON   `json:"plugins"`
	IsolationHook           *hookJSON     `json:"isolation_hook"`
}

// entryJSON is one element of "plugins".
type entryJSON struct {
	ID         string `json:"id"`
	Allow      *bool  `json:"allow"`
	Versions   string `json:"versions"`
	MinVersion string `json:"min_version"`
	Pin        string `json:"pin"`
	Reason     string `json:"reason"`
}

// ceilingsJSON is "ceilings"; pointers tell a left-out field from 0.
type ceilingsJSON struct {
	BackendTimeoutMS  *int64 `json:"backend_timeout_ms"`
	BackendMemoryMB   *int64 `json:"backend_memory_mb"`
	InvokeRate        *int64 `json:"invoke_rate"`
	StorageQuotaBytes *int64 `json:"storage_quota_bytes"`
}

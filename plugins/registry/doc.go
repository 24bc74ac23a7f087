// Package registry publishes and reads Warden's static plugin registry: a
// directory of bundles and one signed index that any static file server or
// CDN can serve.
//
// # Layout
//
//	index.json                   the index (below)
//	index.json.minisig           minisign signature of index.json by the registry's key
//	bundles/<id>-<version>.wbundle
//
// The signature is an ordinary minisign signature, so
// `minisign -V -p registry.pub -m index.json` checks an index by hand. Its
// trusted comment is "timestamp:<unix time>\tfile:index.json\thashed", as
// minisign writes it.
//
// # Index format
//
//	{
//	  "index_version": 1,
//	  "updated": "2025-01-31T12:00:00Z",
//	  "plugins": {
//	    "dev.warden.hello": {
//	      "name": "Hello",
//	      "publisher": "Warden",
//	      "description": "Greets you by name.",
//	      "versions": [
//	        {
//	          "version": "1.2.0",
//	          "url": "bundles/dev.warden.hello-1.2.0.wbundle",
//	          "sha256": "<64 lower-case hex digits of the bundle file>",
//	          "size": 958978,
//	          "host": ">=0.1.0 <1.0.0",
//	          "permissions": ["storage"],
//	          "signer": "5462FA413AFF2E74",
//	          "published": "2025-01-31T12:00:00Z"
//	        }
//	      ]
//	    }
//	  }
//	}
//
// The index is parsed strictly ([ParseIndex]): unknown fields (names match
// exactly, so "Name" is not "name"), keys given twice, null, trailing data
// and invalid UTF-8 are errors. "description", "publisher" and "permissions" may be
// left out; every other field is required. "url" is relative to the
// index's own URL (resolved as a browser resolves a link) or an absolute
// http or https URL. "sha256" and "size" describe the whole bundle file;
// "permissions" are those the user must consent to
// (manifest.Manifest.ConsentPermissions) and "signer" is the id of the
// publisher key that signed the bundle. Versions are listed in ascending
// semver order.
//
// # Trust
//
// A client trusts the registry's public key. The index signature covers
// every bundle's SHA-256 and size, so a bundle downloaded with
// [Client.Download] is authentic once its hash matches, whatever server or
// CDN delivered it. The publisher's own signature inside the bundle is
// still checked by the installer against the keys the user and admin
// trust.
package registry

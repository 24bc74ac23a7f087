// Package bundle packs, signs, reads and extracts Warden plugin bundles.
//
// A bundle is one zip file (extension .wbundle) holding the plugin's
// manifest.json, the directory of its UI entry (recursively), its backend
// .wasm, and two entries of Warden's own:
//
//   - WARDEN/entries, the entry list: one line for every other entry,
//     giving its SHA-256 and size (the format is described at [Entry]);
//   - WARDEN/entries.minisig, a minisign signature of the entry list
//     (see package signing). A bundle without it is unsigned.
//
// Signing the list rather than the zip lets minisign check a bundle's
// contents by itself: `minisign -V -p pub -m entries -x entries.minisig`
// over the two extracted files, then `sha256sum` over the rest.
//
// Reading treats the file as hostile. [Read] checks the zip's central
// directory (names, modes, duplicates, counts, sizes, compression ratios)
// before decompressing anything, then reads every entry once, bounded by
// its listed size, and compares its SHA-256 with the list. Each kind of
// problem has its own sentinel error and a message that names the entry.
package bundle

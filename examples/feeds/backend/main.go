// Command feeds is the backend of the feeds example plugin, a feed reader:
// it fetches RSS 2.0 and Atom feeds through the host's http capability
// (only from the hosts the manifest's "http" list names) and parses them
// here, returning their items as plain text; the feeds the user added are
// kept in the plugin's storage under "feed/<hash of the URL>" keys.
package main

//lint:file-ignore U1000 the exports are called by the host through //go:wasmexport

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"time"

	"github.com/wardenhq/warden/sdk/guest"
)

// keyPrefix starts the storage key of every subscribed feed.
const keyPrefix = "feed/"

// maxFeeds bounds how many feeds one may add.
const maxFeeds = 100

var (
	errBadURL   = errors.New("feed URL must be an absolute http or https URL, such as https://go.dev/blog/feed.atom")
	errTooMany  = fmt.Errorf("at most %d feeds: remove one first", maxFeeds)
	errNotAdded = errors.New("this feed was not added")
)

// Subscription is a feed the user added.
type Subscription struct {
	URL   string `json:"url"`
	Title string `json:"title"`
	Added int64  `json:"added"` // Unix milliseconds
}

// Reading is a feed as read now: the subscription and the feed's items.
type Reading struct {
	Feed  Subscription `json:"feed"`
	Items []Item       `json:"items"`
}

// URLInput is the input of add, read and remove.
type URLInput struct {
	URL string `json:"url"`
}

// add fetches the feed at the URL, and when it is a feed, keeps it and
// returns its items.
//
//go:wasmexport add
func add() int32 { return guest.HandleJSON(addFeed) }

// feeds lists the feeds added, oldest first.
//
//go:wasmexport feeds
func feeds() int32 {
	return guest.HandleJSON(func(struct{}) ([]Subscription, error) { return listFeeds() })
}

// read fetches an added feed and returns its items.
//
//go:wasmexport read
func read() int32 { return guest.HandleJSON(readFeed) }

// remove forgets an added feed.
//
//go:wasmexport remove
func remove() int32 {
	return guest.HandleJSON(func(in URLInput) (bool, error) { return true, removeFeed(in) })
}

func addFeed(in URLInput) (Reading, error) {
	u, err := feedURL(in.URL)
	if err != nil {
		return Reading{}, err
	}
	key := keyOf(u)
	_, known, err := guest.StorageGet(key)
	if err != nil {
		return Reading{}, err
	}
	if !known {
		keys, err := guest.StorageList(keyPrefix)
		if err != nil {
			return Reading{}, err
		}
		if len(keys) >= maxFeeds {
			return Reading{}, errTooMany
		}
	}
	f, err := fetchFeed(u)
	if err != nil {
		return Reading{}, err
	}
	sub := Subscription{URL: u.String(), Title: f.Title, Added: time.Now().UnixMilli()}
	if sub.Title == "" {
		sub.Title = u.Host
	}
	b, err := json.Marshal(sub)
	if err != nil {
		return Reading{}, fmt.Errorf("encode feed: %w", err)
	}
	if err := guest.StorageSet(key, string(b)); err != nil {
		return Reading{}, err
	}
	return Reading{Feed: sub, Items: f.Items}, nil
}

func readFeed(in URLInput) (Reading, error) {
	u, err := feedURL(in.URL)
	if err != nil {
		return Reading{}, err
	}
	sub, err := subscription(keyOf(u))
	if err != nil {
		return Reading{}, err
	}
	f, err := fetchFeed(u)
	if err != nil {
		return Reading{}, err
	}
	return Reading{Feed: sub, Items: f.Items}, nil
}

func removeFeed(in URLInput) error {
	u, err := feedURL(in.URL)
	if err != nil {
		return err
	}
	return guest.StorageDelete(keyOf(u))
}

func listFeeds() ([]Subscription, error) {
	keys, err := guest.StorageList(keyPrefix)
	if err != nil {
		return nil, err
	}
	subs := make([]Subscription, 0, len(keys))
	for _, k := range keys {
		s, err := subscription(k)
		if errors.Is(err, errNotAdded) {
			continue // removed meanwhile, or not written by this backend
		}
		if err != nil {
			return nil, err
		}
		subs = append(subs, s)
	}
	sort.Slice(subs, func(i, j int) bool {
		if subs[i].Added != subs[j].Added {
			return subs[i].Added < subs[j].Added
		}
		return subs[i].URL < subs[j].URL
	})
	return subs, nil
}

func subscription(key string) (Subscription, error) {
	v, found, err := guest.StorageGet(key)
	if err != nil {
		return Subscription{}, err
	}
	var s Subscription
	if !found || json.Unmarshal([]byte(v), &s) != nil || s.URL == "" {
		return Subscription{}, errNotAdded
	}
	return s, nil
}

// feedURL parses the URL a user typed: absolute http or https with a host,
// without user information.
func feedURL(raw string) (*url.URL, error) {
	if raw == "" || len(raw) > maxLink {
		return nil, errBadURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Opaque != "" {
		return nil, errBadURL
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// keyOf is the storage key of the feed at u: a hash, so that any URL makes
// a short key.
func keyOf(u *url.URL) string {
	sum := sha256.Sum256([]byte(u.String()))
	return keyPrefix + hex.EncodeToString(sum[:16])
}

func main() {}

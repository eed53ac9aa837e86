// Package jsonkeys refuses a JSON document that names a key twice, at any
// depth, or names two keys that differ only in case. Go's decoder keeps the
// last of duplicate keys and matches names without regard to case, while
// another reader of the same bytes may take the first: {"amount":"0.01",
// "AMOUNT":"1"} must not mean one thing to a check and another to the
// record. The intake API's bodies and the signing station's refund files
// are read through it.
package jsonkeys

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// frame is one open object or array while Check walks a document.
type frame struct {
	object    bool
	expectKey bool
	path      string            // where the frame is, e.g. body.owner
	last      string            // the key whose value comes next (objects)
	keys      map[string]string // folded key → the key as written
}

// Check walks body's tokens and returns the location ("body.a.b") and an
// error for the first duplicate or case-variant key. A body that is not
// JSON is left to the decoder, which says so in its own words.
func Check(body []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	stack := []*frame{{path: "body"}}
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", nil // the end, or not JSON: the decoder's to report
		}
		top := stack[len(stack)-1]
		if key, ok := tok.(string); ok && top.object && top.expectKey {
			folded := foldKey(key)
			if prev, dup := top.keys[folded]; dup {
				loc := top.path + "." + key
				if prev == key {
					return loc, fmt.Errorf("Key %q appears twice in %s.", key, top.path)
				}
				return loc, fmt.Errorf("Keys %q and %q in %s differ only in case.", prev, key, top.path)
			}
			top.keys[folded], top.last, top.expectKey = key, key, false
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			p := top.path
			if top.object {
				p += "." + top.last
				top.expectKey = true
			}
			stack = append(stack, &frame{object: tok == json.Delim('{'), expectKey: true, path: p, keys: map[string]string{}})
		case json.Delim('}'), json.Delim(']'):
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		default:
			if top.object {
				top.expectKey = true
			}
		}
	}
}

// foldKey maps key so that two keys fold alike exactly when
// strings.EqualFold says they are equal, which is how encoding/json
// matches a key to a field: "AMOUNT", and "amount" with a long s or a
// Kelvin sign, all reach the same field.
func foldKey(key string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, key)
}

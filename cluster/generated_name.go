package cluster

import "hash/fnv"

// GeneratedNameDigits is the API server's alphabet for generated names
// (no vowels, no look-alikes) in byte order, so that counting up sorts up.
const GeneratedNameDigits = "2456789bcdfghjklmnpqrstvwxz"

// GeneratedNames is the number of distinct 5-character suffixes.
const GeneratedNames = 27 * 27 * 27 * 27 * 27

// maxGeneratedNameBase is how much of a generateName prefix the API server
// keeps (63 characters less the 5 random ones).
const maxGeneratedNameBase = 58

// GeneratedName returns the seq-th generated name for the objects a
// controller with uid makes under the prefix base (the controller's name
// and a dash): base cut to 58 characters, then 5 characters of
// GeneratedNameDigits. Deliberate difference: the API server draws the 5
// characters at random; here they are a counter over the 27^5 suffixes,
// starting at an offset taken from the FNV-64a hash of uid, so that names
// are deterministic, objects made one after another sit next to each other
// in the store's name order (the store's lookups of them touch the same
// B-tree nodes), and a controller recreated under the same name (a new
// uid) starts elsewhere. The first 27^5 names are distinct and sort in the
// order they were made except once, where the counter wraps; callers skip
// a name that is taken. O(len(base)).
func GeneratedName(base, uid string, seq uint64) string {
	if len(base) > maxGeneratedNameBase {
		base = base[:maxGeneratedNameBase]
	}
	h := fnv.New64a()
	h.Write([]byte(uid))
	v := (h.Sum64()%GeneratedNames + seq%GeneratedNames) % GeneratedNames
	var suffix [5]byte
	for i := len(suffix) - 1; i >= 0; i-- {
		suffix[i] = GeneratedNameDigits[v%27]
		v /= 27
	}
	return base + string(suffix[:])
}

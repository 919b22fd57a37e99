package cluster

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// QuantityFormat remembers how a quantity was written, for printing.
type QuantityFormat uint8

// The formats of upstream's resource.Quantity.
const (
	DecimalSI       QuantityFormat = iota // 100m, 1, 1k, 1M
	BinarySI                              // 1Ki, 200Mi, 1Gi
	DecimalExponent                       // 1e3
)

// Quantity is an exact resource amount held as an integer number of
// milli-units (1 cpu = 1000; 1 byte of memory = 1000). Amounts finer than a
// milli-unit are rounded up, as upstream's MilliValue does. The largest
// quantity is about 9.2e15 units (8 PiB): larger ones are refused, not
// wrapped. The zero Quantity is 0. Quantities are values; copy freely.
type Quantity struct {
	milli  int64
	format QuantityFormat
}

// NewMilliQuantity returns a quantity of milli milli-units.
func NewMilliQuantity(milli int64, f QuantityFormat) Quantity { return Quantity{milli, f} }

// NewQuantity returns a quantity of v whole units. Panics if v*1000
// overflows int64 (a broken caller invariant, not user input).
func NewQuantity(v int64, f QuantityFormat) Quantity {
	if v > math.MaxInt64/1000 || v < math.MinInt64/1000 {
		panic(fmt.Sprintf("cluster: quantity %d out of range", v))
	}
	return Quantity{v * 1000, f}
}

// MilliValue returns the quantity in milli-units.
func (q Quantity) MilliValue() int64 { return q.milli }

// Value returns the quantity in whole units, rounded up (upstream's Value).
func (q Quantity) Value() int64 {
	v := q.milli / 1000
	if q.milli%1000 > 0 {
		v++
	}
	return v
}

// Format returns the format the quantity prints in.
func (q Quantity) Format() QuantityFormat { return q.format }

// IsZero reports whether the quantity is 0.
func (q Quantity) IsZero() bool { return q.milli == 0 }

// Cmp compares the amounts of q and o (-1, 0, +1); formats are ignored.
func (q Quantity) Cmp(o Quantity) int { return cmp.Compare(q.milli, o.milli) }

// Add returns q+o in q's format. The caller keeps sums within range.
func (q Quantity) Add(o Quantity) Quantity { return Quantity{q.milli + o.milli, q.format} }

var errQuantityFormat = fmt.Errorf("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")

var binarySuffixes = map[string]int64{"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40, "Pi": 1 << 50, "Ei": 1 << 60}
var decimalSuffixes = map[string]int{"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}

// ParseQuantity reads a quantity in upstream's syntax: a signed decimal
// number ("1", "0.5", ".5", "5.") followed by a binary suffix (Ki Mi Gi Ti Pi
// Ei), a decimal suffix (n u m "" k M G T P E) or an exponent (e3, E-2). The
// result is exact in milli-units (sub-milli amounts round up). Errors: a
// malformed string, or an amount beyond about 9.2e15 units.
func ParseQuantity(s string) (Quantity, error) {
	if s == "" {
		return Quantity{}, fmt.Errorf("quantities must not be empty")
	}
	i := 0
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		i++
	}
	start := i
	digits, dot := 0, false
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		if s[i] == '.' {
			if dot {
				return Quantity{}, errQuantityFormat
			}
			dot = true
		} else {
			digits++
		}
		i++
	}
	if digits == 0 {
		return Quantity{}, errQuantityFormat
	}
	num := s[start:i]
	suffix := s[i:]
	r, ok := new(big.Rat).SetString(strings.TrimSuffix(num, "."))
	if strings.HasPrefix(num, ".") {
		r, ok = new(big.Rat).SetString("0" + num)
	}
	if !ok {
		return Quantity{}, errQuantityFormat
	}
	format := DecimalSI
	if m, isBin := binarySuffixes[suffix]; isBin {
		format = BinarySI
		r.Mul(r, new(big.Rat).SetInt64(m))
	} else if exp, isDec := decimalSuffixes[suffix]; isDec {
		r.Mul(r, pow10(exp))
	} else if len(suffix) > 1 && (suffix[0] == 'e' || suffix[0] == 'E') {
		exp, err := strconv.Atoi(suffix[1:])
		if err != nil || exp > 30 || exp < -30 {
			return Quantity{}, errQuantityFormat
		}
		format = DecimalExponent
		r.Mul(r, pow10(exp))
	} else {
		return Quantity{}, fmt.Errorf("unable to parse quantity's suffix")
	}
	r.Mul(r, big.NewRat(1000, 1))
	// round away from zero to a whole milli-unit, as upstream rounds up
	q, rem := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if rem.Sign() != 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() {
		return Quantity{}, fmt.Errorf("quantity too large: %s", s)
	}
	m := q.Int64()
	if neg {
		m = -m
	}
	return Quantity{milli: m, format: format}, nil
}

func pow10(exp int) *big.Rat {
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(exp))), nil)
	if exp < 0 {
		return new(big.Rat).SetFrac(big.NewInt(1), p)
	}
	return new(big.Rat).SetInt(p)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// MustParseQuantity is ParseQuantity that panics on error. For tests,
// examples and constants.
func MustParseQuantity(s string) Quantity {
	q, err := ParseQuantity(s)
	if err != nil {
		panic(err)
	}
	return q
}

// String renders the quantity canonically in its format: "100m" for
// fractional amounts, the largest exact binary suffix for BinarySI
// ("1536Mi"), the largest exact decimal suffix otherwise ("1k", "2").
func (q Quantity) String() string {
	if q.milli%1000 != 0 {
		return strconv.FormatInt(q.milli, 10) + "m"
	}
	v := q.milli / 1000
	if v == 0 {
		return "0"
	}
	if q.format == BinarySI {
		for _, s := range []string{"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"} {
			if m := binarySuffixes[s]; v%m == 0 {
				return strconv.FormatInt(v/m, 10) + s
			}
		}
		return strconv.FormatInt(v, 10)
	}
	for _, s := range []string{"E", "P", "T", "G", "M", "k"} {
		m := int64(math.Pow10(decimalSuffixes[s]))
		if v%m == 0 {
			if q.format == DecimalExponent {
				return strconv.FormatInt(v/m, 10) + "e" + strconv.Itoa(decimalSuffixes[s])
			}
			return strconv.FormatInt(v/m, 10) + s
		}
	}
	return strconv.FormatInt(v, 10)
}

// MarshalJSON writes the quantity as a JSON string (String()).
func (q Quantity) MarshalJSON() ([]byte, error) { return json.Marshal(q.String()) }

// UnmarshalJSON reads a JSON string or number.
func (q *Quantity) UnmarshalJSON(b []byte) error {
	var s string
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	} else {
		s = string(b)
	}
	p, err := ParseQuantity(strings.TrimSpace(s))
	if err != nil {
		return err
	}
	*q = p
	return nil
}

// ResourceName names a resource: "cpu", "memory", "ephemeral-storage",
// "pods", or an extended resource such as "example.com/gpu".
type ResourceName string

// The standard resource names.
const (
	ResourceCPU              ResourceName = "cpu"
	ResourceMemory           ResourceName = "memory"
	ResourceEphemeralStorage ResourceName = "ephemeral-storage"
	ResourcePods             ResourceName = "pods"
)

// ResourceEntry is one resource amount in a ResourceList.
type ResourceEntry struct {
	Name     ResourceName
	Quantity Quantity
}

// ResourceList maps resource names to quantities (v1.ResourceList). It is a
// slice sorted by name with unique names, which keeps a pod's footprint
// small; it reads and writes JSON as an object ({"cpu":"100m"}). Build one
// with Resources or ParseResourceList; Get is O(len).
type ResourceList []ResourceEntry

// Get returns the quantity of name and whether it is listed.
func (l ResourceList) Get(name ResourceName) (Quantity, bool) {
	for _, e := range l {
		if e.Name == name {
			return e.Quantity, true
		}
	}
	return Quantity{}, false
}

// Milli returns the milli-value of name, or 0 if it is not listed.
func (l ResourceList) Milli(name ResourceName) int64 {
	q, _ := l.Get(name)
	return q.milli
}

// With returns a copy of l with name set to q (kept sorted).
func (l ResourceList) With(name ResourceName, q Quantity) ResourceList {
	out := slices.Clone(l)
	i, found := slices.BinarySearchFunc(out, name, func(e ResourceEntry, n ResourceName) int { return cmp.Compare(e.Name, n) })
	if found {
		out[i].Quantity = q
		return out
	}
	return slices.Insert(out, i, ResourceEntry{name, q})
}

// ParseResourceList parses a name→quantity map into a sorted ResourceList.
// Errors name the resource ("memory: quantities must ...").
func ParseResourceList(m map[string]string) (ResourceList, error) {
	out := make(ResourceList, 0, len(m))
	for _, n := range sortedKeys(m) {
		q, err := ParseQuantity(m[n])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		out = append(out, ResourceEntry{ResourceName(n), q})
	}
	return out, nil
}

// Resources builds a ResourceList from name, quantity pairs:
// Resources("cpu", "100m", "memory", "200Mi"). Panics on an odd argument
// count or a bad quantity: for tests, examples and literals.
func Resources(kv ...string) ResourceList {
	if len(kv)%2 != 0 {
		panic("cluster: Resources needs name, quantity pairs")
	}
	m := make(map[string]string, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	l, err := ParseResourceList(m)
	if err != nil {
		panic(err)
	}
	return l
}

// MarshalJSON writes the list as a JSON object with sorted keys.
func (l ResourceList) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, e := range l {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(string(e.Name))
		b.Write(k)
		b.WriteString(`:"` + e.Quantity.String() + `"`)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// UnmarshalJSON reads a JSON object of name → quantity (string or number).
// Errors name the resource.
func (l *ResourceList) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	out := make(ResourceList, 0, len(m))
	for _, n := range sortedKeys(m) {
		var q Quantity
		if err := q.UnmarshalJSON(m[n]); err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		out = append(out, ResourceEntry{ResourceName(n), q})
	}
	*l = out
	return nil
}

// String renders "cpu=100m,memory=200Mi".
func (l ResourceList) String() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = string(e.Name) + "=" + e.Quantity.String()
	}
	return strings.Join(parts, ",")
}

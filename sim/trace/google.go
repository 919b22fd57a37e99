package trace

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
)

// The default capacity scale of the Google 2011 reader: what a machine with
// normalised capacity 1.0 (the largest machine of the trace) has.
var (
	DefaultGoogleCPU    = cluster.MustParseQuantity("64")
	DefaultGoogleMemory = cluster.MustParseQuantity("256Gi")
)

// The label keys of the default LabelScheme.
const (
	LabelPlatform = "daemonsim.io/platform"
	LabelZone     = "topology.kubernetes.io/zone"
	LabelRack     = "daemonsim.io/rack"
)

// The default failure-domain counts of LabelScheme.
const (
	DefaultZones = 3
	DefaultRacks = 320
)

// Google2011Options configure how NewGoogle2011Reader maps machines to
// nodes. The zero value is the default mapping.
type Google2011Options struct {
	// CPU and Memory are the capacity of a machine whose normalised CPU or
	// memory is 1.0 (zero: DefaultGoogleCPU, 64 cores, and
	// DefaultGoogleMemory, 256Gi). A machine's capacity is its normalised
	// value times the scale, CPU rounded to the nearest millicore and
	// memory to the nearest Mi (halves up).
	CPU, Memory cluster.Quantity
	// NamePrefix is put before the machine ID to name its node ("":
	// "machine-"). It must make a valid node name with the digits.
	NamePrefix string
	// Labels says which labels a node gets.
	Labels LabelScheme
}

// LabelScheme is the labels a Google 2011 machine's node gets on add and
// update: its platform, and a synthetic rack and zone (the trace has
// neither) drawn from a hash of the machine ID, so that the same machine
// gets the same rack and zone in every run and every replay. The zero value
// is the default scheme.
type LabelScheme struct {
	// PlatformKey, ZoneKey and RackKey are the label keys ("": LabelPlatform,
	// LabelZone, LabelRack; "-": no such label).
	PlatformKey, ZoneKey, RackKey string
	// Zones and Racks are how many there are (0: DefaultZones, 3, and
	// DefaultRacks, 320: about 40 machines per rack for the 2011 trace's
	// 12,583). Rack r (0 ≤ r < Racks) is in zone r mod Zones, so a zone is
	// a set of whole racks and a failure of a zone is a failure of its racks.
	Zones, Racks int
	// Seed is mixed into the hash: another seed, another placement.
	Seed uint64
}

func (s LabelScheme) withDefaults() LabelScheme {
	if s.PlatformKey == "" {
		s.PlatformKey = LabelPlatform
	}
	if s.ZoneKey == "" {
		s.ZoneKey = LabelZone
	}
	if s.RackKey == "" {
		s.RackKey = LabelRack
	}
	if s.Zones <= 0 {
		s.Zones = DefaultZones
	}
	if s.Racks <= 0 {
		s.Racks = DefaultRacks
	}
	return s
}

// Rack returns the rack and zone numbers of machine id: rack is FNV-1a
// (64-bit) of the seed and the ID (each 8 bytes, little-endian) modulo
// Racks, zone is rack modulo Zones (defaults applied). Pure and O(1).
func (s LabelScheme) Rack(id uint64) (rack, zone int) {
	s = s.withDefaults()
	h := fnv.New64a()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], s.Seed)
	binary.LittleEndian.PutUint64(b[8:], id)
	h.Write(b[:])
	rack = int(h.Sum64() % uint64(s.Racks))
	return rack, rack % s.Zones
}

// Labels returns the labels of machine id on platform (a new set):
// PlatformKey=PlatformLabelValue(platform) (none for an empty platform),
// ZoneKey=zone-<z> and RackKey=rack-<r> with the numbers of Rack, padded
// to the width of the largest.
func (s LabelScheme) Labels(id uint64, platform string) selector.Set {
	s = s.withDefaults()
	out := selector.Set{}
	if s.PlatformKey != "-" && platform != "" {
		out[s.PlatformKey] = PlatformLabelValue(platform)
	}
	rack, zone := s.Rack(id)
	if s.ZoneKey != "-" {
		out[s.ZoneKey] = fmt.Sprintf("zone-%0*d", len(strconv.Itoa(s.Zones-1)), zone)
	}
	if s.RackKey != "-" {
		out[s.RackKey] = fmt.Sprintf("rack-%0*d", len(strconv.Itoa(s.Racks-1)), rack)
	}
	return out
}

// PlatformLabelValue turns a trace's platform ID into a label value. The
// 2011 trace's platform IDs are base64 hashes ("HofLGzk1Or/8Ildj2+...=")
// with characters a label value cannot have: such an ID becomes the first
// 12 hex digits of the bytes it encodes ("1e87cb1b3935"); an ID that is
// already a valid label value stays as it is; any other, the first 12 hex
// digits of its SHA-256. Pure.
func PlatformLabelValue(platform string) string {
	if len(selector.IsValidLabelValue(platform)) == 0 {
		return platform
	}
	if b, err := base64.StdEncoding.DecodeString(platform); err == nil && len(b) >= 6 {
		return hex.EncodeToString(b[:6])
	}
	sum := sha256.Sum256([]byte(platform))
	return hex.EncodeToString(sum[:6])
}

// googleFormat is the machine_events table of clusterdata-2011-2.
type googleFormat struct {
	opts   Google2011Options
	scheme LabelScheme
	cpu    int64 // milli-units per 1.0
	mem    int64 // Mi per 1.0, times 1000 (milli-Mi), see scale
	err    error
}

// The columns of machine_events.
var googleColumns = [...]string{"timestamp", "machine ID", "event type", "platform ID", "CPU", "memory"}

// NewGoogle2011Reader returns a Reader of a Google cluster-data 2011
// machine_events table from r (gzipped or not), naming it name in errors.
// Each line becomes one NodeEvent (see the package doc for the mapping):
// ADD (0) an add, REMOVE (1) a remove, UPDATE (2) an update, at the
// timestamp (microseconds; 0, before the trace window, is time 0), for node
// NamePrefix+<machine ID>, with the capacity scaled as opts says and the
// labels of opts.Labels (on add and update). Options that cannot work (a
// negative scale, a prefix that makes bad names) are reported by the first
// Next. The caller keeps r.
func NewGoogle2011Reader(name string, r io.Reader, opts Google2011Options) *Reader {
	f := &googleFormat{opts: opts, scheme: opts.Labels.withDefaults()}
	if f.opts.CPU.IsZero() {
		f.opts.CPU = DefaultGoogleCPU
	}
	if f.opts.Memory.IsZero() {
		f.opts.Memory = DefaultGoogleMemory
	}
	if f.opts.NamePrefix == "" {
		f.opts.NamePrefix = "machine-"
	}
	f.cpu = f.opts.CPU.MilliValue()
	f.mem = f.opts.Memory.MilliValue()
	switch {
	case f.cpu < 0:
		f.err = fmt.Errorf("trace: Google2011Options.CPU %s is negative", f.opts.CPU)
	case f.mem < 0:
		f.err = fmt.Errorf("trace: Google2011Options.Memory %s is negative", f.opts.Memory)
	case len(selector.NameIsDNSSubdomain(f.opts.NamePrefix+"0")) > 0:
		f.err = fmt.Errorf("trace: Google2011Options.NamePrefix %q: %s", f.opts.NamePrefix, strings.Join(selector.NameIsDNSSubdomain(f.opts.NamePrefix+"0"), "; "))
	}
	return newReader(name, r, f)
}

func (f *googleFormat) configure(cr *csv.Reader) {}

const mebi = 1 << 20

func (f *googleFormat) record(r *Reader, rec []string) (NodeEvent, bool, error) {
	if f.err != nil {
		return NodeEvent{}, false, &Error{File: r.name, Msg: f.err.Error()}
	}
	if len(rec) != len(googleColumns) {
		return NodeEvent{}, false, r.errAt(0, "", "want 6 fields (timestamp, machine ID, event type, platform ID, CPU, memory), got %d", len(rec))
	}
	var ev NodeEvent
	us, err := parseUint(rec[0])
	if err != nil {
		return NodeEvent{}, false, r.errAt(0, googleColumns[0], "%s", err)
	}
	if us > math.MaxInt64/uint64(time.Microsecond) {
		return NodeEvent{}, false, r.errAt(0, googleColumns[0], "%d µs is beyond the largest time (about 292 years)", us)
	}
	ev.At = time.Duration(us) * time.Microsecond
	id, err := parseUint(rec[1])
	if err != nil {
		return NodeEvent{}, false, r.errAt(1, googleColumns[1], "%s", err)
	}
	ev.Node = f.opts.NamePrefix + strconv.FormatUint(id, 10)
	if msgs := selector.NameIsDNSSubdomain(ev.Node); len(msgs) > 0 {
		return NodeEvent{}, false, r.errAt(1, googleColumns[1], "node name %q: %s", ev.Node, strings.Join(msgs, "; "))
	}
	switch rec[2] {
	case "0":
		ev.Type = Add
	case "1":
		ev.Type = Remove
	case "2":
		ev.Type = Update
	default:
		return NodeEvent{}, false, r.errAt(2, googleColumns[2], "unknown %q (want 0 ADD, 1 REMOVE or 2 UPDATE)", rec[2])
	}
	platform := rec[3]
	if strings.ContainsAny(platform, " \t") {
		return NodeEvent{}, false, r.errAt(3, googleColumns[3], "%q has spaces", platform)
	}
	var capacity cluster.ResourceList
	for i, res := range [...]struct {
		name  cluster.ResourceName
		scale int64
		unit  int64 // round to a multiple of this many milli-units
		fmt   cluster.QuantityFormat
	}{{cluster.ResourceCPU, f.cpu, 1, cluster.DecimalSI}, {cluster.ResourceMemory, f.mem, mebi * 1000, cluster.BinarySI}} {
		col := 4 + i
		if rec[col] == "" {
			continue
		}
		n, k, err := parseNormalised(rec[col])
		if err != nil {
			return NodeEvent{}, false, r.errAt(col, googleColumns[col], "%s", err)
		}
		capacity = append(capacity, cluster.ResourceEntry{Name: res.name, Quantity: cluster.NewMilliQuantity(scale(n, k, res.scale, res.unit), res.fmt)})
	}
	if ev.Type != Remove {
		ev.Capacity = capacity
		ev.Labels = f.scheme.Labels(id, platform)
	}
	return ev, false, nil
}

// parseUint reads a decimal unsigned integer with no sign or spaces.
func parseUint(s string) (uint64, error) {
	if s == "" {
		return 0, fmt.Errorf("required")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("invalid %q (want a non-negative integer)", s)
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return v, nil
}

// pow10 holds 10^0 .. 10^18.
var pow10 = func() (p [19]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// parseNormalised reads a normalised capacity, a decimal from 0 to 1
// ("0.5", "1", ".25", "0.2493"), exactly, as n / 10^k with at most 18
// fraction digits.
func parseNormalised(s string) (n uint64, k int, err error) {
	intPart, frac, _ := strings.Cut(s, ".")
	bad := fmt.Errorf("invalid %q (want a decimal from 0 to 1, such as 0.5)", s)
	if intPart == "" && frac == "" {
		return 0, 0, bad
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, 0, bad
			}
		}
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 18 {
		return 0, 0, fmt.Errorf("%q has more than 18 digits after the point", s)
	}
	intPart = strings.TrimLeft(intPart, "0")
	switch {
	case intPart == "":
	case intPart == "1" && frac == "":
		return 1, 0, nil
	default:
		return 0, 0, fmt.Errorf("%q is above 1 (capacities are normalised to the largest machine, 1.0)", s)
	}
	if frac == "" {
		return 0, 0, nil
	}
	v, _ := strconv.ParseUint(frac, 10, 64)
	return v, len(frac), nil
}

// scale returns n/10^k × total (milli-units; n/10^k ≤ 1), rounded to the
// nearest multiple of unit milli-units, halves up, exactly.
func scale(n uint64, k int, total, unit int64) int64 {
	d := pow10[k]
	hi, lo := bits.Mul64(n, uint64(total))
	// (n × total) / (d × unit), rounded: the quotient is at most total/unit,
	// so it fits; divide in two steps to keep within 64 bits.
	q, rem := bits.Div64(hi, lo, d) // q = floor(n×total/d) ≤ total
	// exact value = q + rem/d; now round (q + rem/d)/unit.
	u := uint64(unit)
	whole, r := q/u, q%u
	// compare r + rem/d with u/2: 2(r·d + rem) ≥ u·d ?
	lhsHi, lhsLo := bits.Mul64(r, d)
	lhsLo, c := bits.Add64(lhsLo, rem, 0)
	lhsHi += c
	lhsHi, lhsLo = lhsHi<<1|lhsLo>>63, lhsLo<<1
	rhsHi, rhsLo := bits.Mul64(u, d)
	if lhsHi > rhsHi || (lhsHi == rhsHi && lhsLo >= rhsLo) {
		whole++
	}
	return int64(whole * u)
}

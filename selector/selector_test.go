package selector

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/field"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string // canonical String(); "" with wantErr
		err  bool
	}{
		{in: "", want: ""},
		{in: "   ", want: ""},
		{in: "x=a", want: "x=a"},
		{in: "x==a", want: "x==a"},
		{in: "x!=a", want: "x!=a"},
		{in: "x=", want: "x="},
		{in: "x=,y=z", want: "x=,y=z"},
		{in: "x= ,y=z", want: "x=,y=z"},
		{in: "x", want: "x"},
		{in: "!x", want: "!x"},
		{in: " ! x ", want: "!x"},
		{in: "x>5", want: "x>5"},
		{in: "x<-5", err: true},
		{in: "x<5", want: "x<5"},
		{in: "x in (b,a,b)", want: "x in (a,b)"},
		{in: "x notin (a)", want: "x notin (a)"},
		{in: "x in ()", want: "x in ()"},
		{in: "x in (,)", want: "x in ()"},
		{in: "x in (a,,b)", want: "x in (,a,b)"},
		{in: "x in (a,)", want: "x in (,a)"},
		{in: "x in (,a)", want: "x in (,a)"},
		{in: "notin=in", want: "notin=in"},
		{in: "in=notin", want: "in=notin"},
		{in: "a in (x,in,notin)", want: "a in (in,notin,x)"},
		{in: "z=a,a=z", want: "a=z,z=a"},
		{in: "a=2,a=1", want: "a=2,a=1"},
		{in: "x in (a),y,!z", want: "x in (a),y,!z"},
		{in: "example.com/k=v", want: "example.com/k=v"},
		{in: "a\tin\t(b)", want: "a in (b)"},
		{in: "a\x00=b", want: "a"},
		// errors
		{in: "x>a", err: true},
		{in: "x>", err: true},
		{in: "x=a=b", err: true},
		{in: "x=a b", err: true},
		{in: ",x", err: true},
		{in: "x,", err: true},
		{in: "x,,y", err: true},
		{in: "!x=a", err: true},
		{in: "x!", err: true},
		{in: "x in a", err: true},
		{in: "x in (a b)", err: true},
		{in: "x in (a", err: true},
		{in: "x in", err: true},
		{in: "x (a)", err: true},
		{in: "=a", err: true},
		{in: "x=(a)", err: true},
		{in: "-x=a", err: true},
		{in: "x=-a", err: true},
		{in: "a/b/c=d", err: true},
		{in: "/b=c", err: true},
		{in: "x=" + strings.Repeat("a", 64), err: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			s, err := Parse(tc.in)
			if tc.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, s.String())
			again, err := Parse(s.String())
			require.NoError(t, err)
			assert.True(t, s.Equal(again), "round trip of %q", s.String())
		})
	}
}

func TestParseErrorPosition(t *testing.T) {
	_, err := Parse("a=b,,c")
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 4, pe.Pos)
	assert.Equal(t, `unable to parse selector at position 4 of "a=b,,c": found ',', expected: identifier after ','`, err.Error())

	_, err = Parse("x in (a")
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 7, pe.Pos)
}

func TestMatches(t *testing.T) {
	labels := Set{"a": "1", "b": "", "n": "10", "s": "x"}
	tests := []struct {
		sel  string
		want bool
	}{
		{"", true},
		{"a", true},
		{"b", true},
		{"c", false},
		{"!c", true},
		{"!a", false},
		{"a=1", true},
		{"a==1", true},
		{"a=2", false},
		{"a!=2", true},
		{"c!=2", true},
		{"b=", true},
		{"a in (1,2)", true},
		{"c in (1,2)", false},
		{"a notin (1,2)", false},
		{"c notin (1,2)", true},
		{"b in ()", true},
		{"n>9", true},
		{"n>10", false},
		{"n<11", true},
		{"s>1", false},
		{"s<1", false},
		{"c>1", false},
		{"a=1,n>5,!c", true},
		{"a=1,n>50", false},
	}
	for _, tc := range tests {
		t.Run(tc.sel, func(t *testing.T) {
			assert.Equal(t, tc.want, MustParse(tc.sel).Matches(labels))
		})
	}
	assert.False(t, Nothing().Matches(labels))
	assert.True(t, Everything().Matches(labels))
	assert.True(t, Everything().Matches(Set(nil)))
}

func TestNewRequirementErrors(t *testing.T) {
	tests := []struct {
		name string
		key  string
		op   Operator
		vals []string
		want string
	}{
		{"in empty", "k", In, nil, `values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty`},
		{"equals two", "k", Equals, []string{"a", "b"}, `values: Invalid value: ["a","b"]: exact-match compatibility requires one single value`},
		{"exists with value", "k", Exists, []string{"a"}, `values: Invalid value: ["a"]: values set must be empty for exists and does not exist`},
		{"gt not int", "k", GreaterThan, []string{"a"}, `values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`},
		{"bad op", "k", Operator("~"), nil, `operator: Unsupported value: "~": supported values: "in", "notin", "=", "==", "!=", "exists", "!", "gt", "lt"`},
		{"bad key", "-k", Exists, nil, `key: Invalid value: "-k": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`},
		{"bad value", "k", In, []string{"a b"}, `values[0][k]: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewRequirement(tc.key, tc.op, tc.vals...)
			require.Error(t, err)
			assert.True(t, errors.Is(err, field.ErrInvalid))
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

func TestIsQualifiedName(t *testing.T) {
	long := "a23456789012345678901234567890123456789012345678901234567890123"
	tests := []struct {
		key string
		ok  bool
	}{
		{"a", true},
		{"A.b_c-d", true},
		{long, true},
		{long + "4", false},
		{"example.com/a", true},
		{"Example.com/a", false},
		{"/a", false},
		{"a/", false},
		{"a/b/c", false},
		{"", false},
		{"_a", false},
		{"a_", false},
		{"a..b", true},
		{"ex..com/a", false},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			assert.Equal(t, tc.ok, len(IsQualifiedName(tc.key)) == 0, IsQualifiedName(tc.key))
		})
	}
	assert.Empty(t, IsValidLabelValue(""))
	assert.NotEmpty(t, IsValidLabelValue(long+"4"))
	assert.Equal(t, []string{"prefix part must be non-empty"}, IsQualifiedName("/a"))
}

func TestLabelSelectorAsSelector(t *testing.T) {
	tests := []struct {
		name    string
		ls      *LabelSelector
		want    string
		nothing bool
		err     string
	}{
		{name: "nil", ls: nil, nothing: true},
		{name: "empty", ls: &LabelSelector{}, want: ""},
		{name: "labels", ls: &LabelSelector{MatchLabels: Set{"b": "2", "a": "1"}}, want: "a=1,b=2"},
		{name: "expressions", ls: &LabelSelector{MatchExpressions: []LabelSelectorRequirement{
			{Key: "z", Operator: LabelSelectorOpIn, Values: []string{"y", "x"}},
			{Key: "m", Operator: LabelSelectorOpDoesNotExist},
		}}, want: "!m,z in (x,y)"},
		{name: "gt refused", ls: &LabelSelector{MatchExpressions: []LabelSelectorRequirement{{Key: "z", Operator: "Gt", Values: []string{"1"}}}},
			err: `"Gt" is not a valid label selector operator`},
		{name: "in without values", ls: &LabelSelector{MatchExpressions: []LabelSelectorRequirement{{Key: "z", Operator: LabelSelectorOpIn}}},
			err: `values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := LabelSelectorAsSelector(tc.ls)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.nothing, s.IsNothing())
			assert.Equal(t, tc.want, s.String())
		})
	}
}

// The upstream messages the validation tests expect.
const (
	msgKeyName = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
		"(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
	msgValue = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
		"(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
	msgSubdomain = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character " +
		"(e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)

func errorStrings(errs field.ErrorList) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func TestValidateLabelSelector(t *testing.T) {
	p := field.NewPath("spec", "selector")
	expr := func(key string, op LabelSelectorOperator, values ...string) *LabelSelector {
		return &LabelSelector{MatchExpressions: []LabelSelectorRequirement{{Key: key, Operator: op, Values: values}}}
	}
	tests := []struct {
		name string
		ls   *LabelSelector
		want []string
	}{
		{"nil is valid", nil, nil},
		{"empty is valid", &LabelSelector{}, nil},
		{"valid", &LabelSelector{MatchLabels: Set{"app": "x"}, MatchExpressions: []LabelSelectorRequirement{
			{Key: "a", Operator: LabelSelectorOpIn, Values: []string{"1"}}, {Key: "b", Operator: LabelSelectorOpDoesNotExist}}}, nil},
		{"matchLabels in key order", &LabelSelector{MatchLabels: Set{"z": "-bad", "-a": "ok"}}, []string{
			`spec.selector.matchLabels: Invalid value: "-a": ` + msgKeyName,
			`spec.selector.matchLabels: Invalid value: "-bad": ` + msgValue}},
		{"In without values", expr("a", LabelSelectorOpIn), []string{
			"spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"}},
		{"NotIn without values", expr("a", LabelSelectorOpNotIn), []string{
			"spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"}},
		{"Exists with values", expr("a", LabelSelectorOpExists, "x"), []string{
			"spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"}},
		{"Gt is not a label selector operator", expr("a", "Gt", "1"), []string{
			`spec.selector.matchExpressions[0].operator: Invalid value: "Gt": not a valid selector operator`}},
		{"empty operator", expr("a", ""), []string{
			`spec.selector.matchExpressions[0].operator: Invalid value: "": not a valid selector operator`}},
		{"operator, key, values in order", &LabelSelector{MatchExpressions: []LabelSelectorRequirement{
			{Key: "ok", Operator: LabelSelectorOpIn, Values: []string{"v"}},
			{Key: "-k", Operator: "Near", Values: []string{"good", "-bad"}}}}, []string{
			`spec.selector.matchExpressions[1].operator: Invalid value: "Near": not a valid selector operator`,
			`spec.selector.matchExpressions[1].key: Invalid value: "-k": ` + msgKeyName,
			`spec.selector.matchExpressions[1].values[1]: Invalid value: "-bad": ` + msgValue}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, errorStrings(ValidateLabelSelector(tc.ls, p)))
			// the path-free pass that callers run first finds as many
			assert.Len(t, ValidateLabelSelector(tc.ls, field.Discard), len(tc.want))
		})
	}
}

func TestNodeSelectorMatches(t *testing.T) {
	in := func(k string, v ...string) NodeSelectorRequirement {
		return NodeSelectorRequirement{Key: k, Operator: NodeSelectorOpIn, Values: v}
	}
	term := func(exprs []NodeSelectorRequirement, fields ...NodeSelectorRequirement) NodeSelectorTerm {
		return NodeSelectorTerm{MatchExpressions: exprs, MatchFields: fields}
	}
	labels := Set{"zone": "a", "gen": "5"}
	tests := []struct {
		name string
		ns   *NodeSelector
		node string
		want bool
	}{
		{"nil", nil, "n1", false},
		{"no terms", &NodeSelector{}, "n1", false},
		{"only empty term", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{{}}}, "n1", false},
		{"empty term dropped", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{{}, term([]NodeSelectorRequirement{in("zone", "a")})}}, "n1", true},
		{"label match", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{term([]NodeSelectorRequirement{in("zone", "a", "b")})}}, "n1", true},
		{"label mismatch", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{term([]NodeSelectorRequirement{in("zone", "b")})}}, "n1", false},
		{"terms ORed", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{
			term([]NodeSelectorRequirement{in("zone", "b")}), term(nil, in(ObjectNameField, "n1"))}}, "n1", true},
		{"within term ANDed", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{
			term([]NodeSelectorRequirement{in("zone", "b")}, in(ObjectNameField, "n1"))}}, "n1", false},
		{"field name", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{term(nil, in(ObjectNameField, "n1"))}}, "n1", true},
		{"field other name", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{term(nil, in(ObjectNameField, "n2"))}}, "n1", false},
		{"field notin", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{term(nil, NodeSelectorRequirement{Key: ObjectNameField, Operator: NodeSelectorOpNotIn, Values: []string{"n2"}})}}, "n1", true},
		{"field two values fails to parse", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{term(nil, in(ObjectNameField, "n1", "n2"))}}, "n1", false},
		{"unknown field compares as empty", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{term(nil, in("spec.x", ""))}}, "n1", true},
		{"unknown field with value", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{term(nil, in("spec.x", "v"))}}, "n1", false},
		{"fields skipped without node name", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{term(nil, in(ObjectNameField, "n2"))}}, "", true},
		{"gt", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{term([]NodeSelectorRequirement{{Key: "gen", Operator: NodeSelectorOpGt, Values: []string{"4"}}})}}, "n1", true},
		{"gt not integer fails only its term", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{
			term([]NodeSelectorRequirement{{Key: "gen", Operator: NodeSelectorOpGt, Values: []string{"x"}}}),
			term([]NodeSelectorRequirement{in("zone", "a")})}}, "n1", true},
		{"bad operator fails term", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{term([]NodeSelectorRequirement{{Key: "zone", Operator: "Near"}})}}, "n1", false},
		{"notin absent key", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{term([]NodeSelectorRequirement{{Key: "x", Operator: NodeSelectorOpNotIn, Values: []string{"a"}}})}}, "n1", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.ns.Matches(tc.node, labels))
		})
	}
	ok, err := NewLazyErrorNodeSelector(&NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{term(nil, NodeSelectorRequirement{Key: ObjectNameField, Operator: NodeSelectorOpExists})}}).Match("n1", labels)
	assert.False(t, ok)
	assert.EqualError(t, err, `nodeSelectorTerms[0].matchFields[0].operator: Unsupported value: "Exists": supported values: "In", "NotIn"`)
}

func TestNodeSelectorValidate(t *testing.T) {
	req := func(key string, op NodeSelectorOperator, values ...string) NodeSelectorRequirement {
		return NodeSelectorRequirement{Key: key, Operator: op, Values: values}
	}
	exprs := func(rs ...NodeSelectorRequirement) *NodeSelector {
		return &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{{MatchExpressions: rs}}}
	}
	fields := func(rs ...NodeSelectorRequirement) *NodeSelector {
		return &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{{MatchFields: rs}}}
	}
	long := strings.Repeat("a", 254)
	tests := []struct {
		name string
		ns   *NodeSelector
		want []string
	}{
		{"nil", nil, []string{"spec.affinity.nodeSelectorTerms: Required value: must have at least one node selector term"}},
		{"no terms", &NodeSelector{}, []string{"spec.affinity.nodeSelectorTerms: Required value: must have at least one node selector term"}},
		{"an empty term is valid", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{{}}}, nil},
		{"valid", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{
			{MatchExpressions: []NodeSelectorRequirement{req("zone", NodeSelectorOpIn, "a"), req("gen", NodeSelectorOpGt, "4"), req("x", NodeSelectorOpExists)}},
			{MatchFields: []NodeSelectorRequirement{req(ObjectNameField, NodeSelectorOpNotIn, "node-1")}}}}, nil},
		{"In without values", exprs(req("a", NodeSelectorOpIn)), []string{
			"spec.affinity.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"}},
		{"DoesNotExist with values", exprs(req("a", NodeSelectorOpDoesNotExist, "x")), []string{
			"spec.affinity.nodeSelectorTerms[0].matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"}},
		{"Gt with two values", exprs(req("a", NodeSelectorOpGt, "1", "2")), []string{
			"spec.affinity.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified single value when `operator` is 'Lt' or 'Gt'"}},
		{"Lt without values", exprs(req("a", NodeSelectorOpLt)), []string{
			"spec.affinity.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified single value when `operator` is 'Lt' or 'Gt'"}},
		{"unknown operator, bad key, bad value", exprs(req("a", NodeSelectorOpIn, "v"), req("-k", "Near", "-v")), []string{
			`spec.affinity.nodeSelectorTerms[0].matchExpressions[1].operator: Invalid value: "Near": not a valid selector operator`,
			`spec.affinity.nodeSelectorTerms[0].matchExpressions[1].key: Invalid value: "-k": ` + msgKeyName,
			`spec.affinity.nodeSelectorTerms[0].matchExpressions[1].values[0]: Invalid value: "-v": ` + msgValue}},
		{"field key other than metadata.name: values not checked", fields(req("spec.unschedulable", NodeSelectorOpIn, "-x-")), []string{
			`spec.affinity.nodeSelectorTerms[0].matchFields[0].key: Invalid value: "spec.unschedulable": not a valid field selector key`}},
		{"field with two values", fields(req(ObjectNameField, NodeSelectorOpIn, "a", "b")), []string{
			"spec.affinity.nodeSelectorTerms[0].matchFields[0].values: Required value: must be only one value when `operator` is 'In' or 'NotIn' for node field selector"}},
		{"field operator Exists", fields(req(ObjectNameField, NodeSelectorOpExists)), []string{
			`spec.affinity.nodeSelectorTerms[0].matchFields[0].operator: Invalid value: "Exists": not a valid selector operator`}},
		{"field value not a node name", fields(req(ObjectNameField, NodeSelectorOpIn, "Node_1")), []string{
			`spec.affinity.nodeSelectorTerms[0].matchFields[0].values[0]: Invalid value: "Node_1": ` + msgSubdomain}},
		{"field value too long, in characters", fields(req(ObjectNameField, NodeSelectorOpIn, long)), []string{
			`spec.affinity.nodeSelectorTerms[0].matchFields[0].values[0]: Invalid value: "` + long + `": must be no more than 253 characters`}},
		{"terms in order, expressions before fields", &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{
			{MatchExpressions: []NodeSelectorRequirement{req("a", NodeSelectorOpIn, "v")}},
			{MatchFields: []NodeSelectorRequirement{req("spec.x", NodeSelectorOpIn, "v")}, MatchExpressions: []NodeSelectorRequirement{req("b", NodeSelectorOpExists, "v")}}}}, []string{
			"spec.affinity.nodeSelectorTerms[1].matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
			`spec.affinity.nodeSelectorTerms[1].matchFields[0].key: Invalid value: "spec.x": not a valid field selector key`}},
	}
	p := field.NewPath("spec", "affinity")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, errorStrings(tc.ns.ValidateAt(p)))
			assert.Len(t, tc.ns.ValidateAt(field.Discard), len(tc.want))
		})
	}
	assert.EqualError(t, (&NodeSelector{}).Validate(), "nodeSelectorTerms: Required value: must have at least one node selector term")
	assert.NoError(t, fields(req(ObjectNameField, NodeSelectorOpIn, "node-1")).Validate())
}

// TestValidateNodeSelectorTermAllowInvalidLabelValues checks the option of
// preferred node affinity: label values go unchecked, nothing else does.
func TestValidateNodeSelectorTermAllowInvalidLabelValues(t *testing.T) {
	term := NodeSelectorTerm{
		MatchExpressions: []NodeSelectorRequirement{{Key: "-k", Operator: NodeSelectorOpIn, Values: []string{"-v"}}},
		MatchFields:      []NodeSelectorRequirement{{Key: ObjectNameField, Operator: NodeSelectorOpIn, Values: []string{"Bad_Name"}}},
	}
	p := field.NewPath("preference")
	key := `preference.matchExpressions[0].key: Invalid value: "-k": ` + msgKeyName
	value := `preference.matchExpressions[0].values[0]: Invalid value: "-v": ` + msgValue
	name := `preference.matchFields[0].values[0]: Invalid value: "Bad_Name": ` + msgSubdomain
	assert.Equal(t, []string{key, value, name}, errorStrings(ValidateNodeSelectorTerm(term, false, p)))
	assert.Equal(t, []string{key, name}, errorStrings(ValidateNodeSelectorTerm(term, true, p)))
}

func TestNameIsDNSSubdomain(t *testing.T) {
	assert.Empty(t, NameIsDNSSubdomain("node-1.example.com"))
	assert.Equal(t, []string{msgSubdomain}, NameIsDNSSubdomain(""))
	assert.Equal(t, []string{msgSubdomain}, NameIsDNSSubdomain("Node"))
	assert.Equal(t, []string{"must be no more than 253 characters"}, NameIsDNSSubdomain(strings.Repeat("a", 254)))
	assert.Equal(t, []string{"must be no more than 253 characters", msgSubdomain}, NameIsDNSSubdomain(strings.Repeat("A", 254)))
	// the content validator behind it counts bytes
	assert.Equal(t, []string{"must be no more than 253 bytes"}, IsDNS1123Subdomain(strings.Repeat("a", 254)))
}

func TestSetString(t *testing.T) {
	assert.Equal(t, "a=1,b=,c=3", Set{"c": "3", "a": "1", "b": ""}.String())
	assert.Equal(t, "", Set(nil).String())
	assert.Equal(t, "a=1,c=3", SelectorFromSet(Set{"c": "3", "a": "1"}).String())
	_, err := ValidatedSelectorFromSet(Set{"a": "-"})
	assert.Error(t, err)
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "x=a", "x in (a,,b)", "!x", "x>5", "notin=in", "a in (x,in,notin)", "x=,y=z", "a/b=c", "x in ()"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sel, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(sel.String())
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", s, sel.String(), err)
		}
		if !sel.Equal(again) {
			t.Fatalf("round trip of %q: %q != %q", s, sel.String(), again.String())
		}
	})
}

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

func TestValidateLabelSelector(t *testing.T) {
	ls := &LabelSelector{
		MatchLabels: Set{"ok": "-bad"},
		MatchExpressions: []LabelSelectorRequirement{
			{Key: "a", Operator: LabelSelectorOpIn},
			{Key: "b", Operator: LabelSelectorOpExists, Values: []string{"x"}},
			{Key: "c", Operator: "Gt", Values: []string{"1"}},
		},
	}
	errs := ValidateLabelSelector(ls, field.NewPath("spec", "selector"))
	require.Len(t, errs, 4)
	assert.Equal(t, "spec.selector.matchLabels", errs[0].Field)
	assert.Equal(t, "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'", errs[1].Error())
	assert.Equal(t, "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'", errs[2].Error())
	assert.Equal(t, `spec.selector.matchExpressions[2].operator: Unsupported value: "Gt": supported values: "In", "NotIn", "Exists", "DoesNotExist"`, errs[3].Error())
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
	assert.EqualError(t, (&NodeSelector{}).Validate(), "nodeSelectorTerms: Required value: must have at least one node selector term")
	ns := &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{{
		MatchExpressions: []NodeSelectorRequirement{{Key: "a", Operator: NodeSelectorOpGt, Values: []string{"1", "2"}}},
		MatchFields: []NodeSelectorRequirement{
			{Key: "spec.unschedulable", Operator: NodeSelectorOpIn, Values: []string{"true"}},
			{Key: ObjectNameField, Operator: NodeSelectorOpIn, Values: []string{"a", "b"}},
		},
	}}}
	errs := ns.ValidateAt(field.NewPath("spec", "affinity"))
	require.Len(t, errs, 3)
	assert.Equal(t, "spec.affinity.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified single value when `operator` is 'Lt' or 'Gt'", errs[0].Error())
	assert.Equal(t, `spec.affinity.nodeSelectorTerms[0].matchFields[0].key: Invalid value: "spec.unschedulable": not a valid field selector key`, errs[1].Error())
	assert.Equal(t, "spec.affinity.nodeSelectorTerms[0].matchFields[1].values: Required value: must be only one value when `operator` is 'In' or 'NotIn' for node field selector", errs[2].Error())
	ok := &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{{MatchFields: []NodeSelectorRequirement{{Key: ObjectNameField, Operator: NodeSelectorOpIn, Values: []string{"node-1"}}}}}}
	assert.NoError(t, ok.Validate())
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

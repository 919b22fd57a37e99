package field

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPathString(t *testing.T) {
	assert.Equal(t, "", (*Path)(nil).String())
	assert.Equal(t, "spec.template.spec.containers[0].resources.requests[cpu]",
		NewPath("spec", "template", "spec").Child("containers").Index(0).Child("resources", "requests").Key("cpu").String())
	assert.Equal(t, "key", (*Path)(nil).Child("key").String())
}

func TestErrorMessages(t *testing.T) {
	p := NewPath("spec", "selector")
	tests := []struct {
		err  *Error
		want string
	}{
		{Invalid(p, "a=b", "does not match template labels"), `spec.selector: Invalid value: "a=b": does not match template labels`},
		{Invalid(p, int64(-1), "must be greater than or equal to 0"), `spec.selector: Invalid value: -1: must be greater than or equal to 0`},
		{Invalid(p, []string{"a", "b"}, "x"), `spec.selector: Invalid value: ["a","b"]: x`},
		{Required(p, ""), `spec.selector: Required value`},
		{Required(p, "must be set"), `spec.selector: Required value: must be set`},
		{Forbidden(p, "no"), `spec.selector: Forbidden: no`},
		{NotSupported(p, "X", []string{"A", "B"}), `spec.selector: Unsupported value: "X": supported values: "A", "B"`},
		{Duplicate(p.Index(1), "k"), `spec.selector[1]: Duplicate value: "k"`},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.err.Error())
		assert.True(t, errors.Is(tc.err, ErrInvalid))
	}
}

func TestErrorList(t *testing.T) {
	assert.NoError(t, ErrorList(nil).ToAggregate())
	one := ErrorList{Required(NewPath("a"), "")}
	assert.Equal(t, "a: Required value", one.ToAggregate().Error())
	two := append(one, Forbidden(NewPath("b"), "no"))
	err := two.ToAggregate()
	assert.Equal(t, "a: Required value\nb: Forbidden: no", err.Error())
	assert.True(t, errors.Is(err, ErrInvalid))
	prefixed := two.WithPrefix(NewPath("spec"))
	assert.Equal(t, "spec.a", prefixed[0].Field)
	assert.Equal(t, "a", two[0].Field, "WithPrefix copies")
}

func TestDiscard(t *testing.T) {
	assert.Same(t, Discard, Discard.Child("spec", "containers").Index(3).Key("cpu"))
	assert.Equal(t, "spec.containers[3]", NewPath("spec").Child("containers").Index(3).String(), "other paths are unaffected")
}

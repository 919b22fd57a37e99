package selector

import (
	"fmt"
	"strings"

	"github.com/daemonsim/daemonsim/field"
)

// Limits and messages of the upstream content validators
// (k8s.io/apimachinery/pkg/api/validate/content).
const (
	// LabelKeyNameMaxLength is the longest name part of a label key.
	LabelKeyNameMaxLength = 63
	// LabelValueMaxLength is the longest label value.
	LabelValueMaxLength = 63
	// DNS1123SubdomainMaxLength is the longest DNS-1123 subdomain.
	DNS1123SubdomainMaxLength = 253
	// DNS1123LabelMaxLength is the longest DNS-1123 label.
	DNS1123LabelMaxLength = 63

	labelKeyFmt         = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
	labelKeyErrMsg      = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
	labelValueFmt       = "(" + labelKeyFmt + ")?"
	labelValueErrMsg    = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
	dns1123LabelFmt     = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
	dns1123LabelErrMsg  = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
	dns1123SubdomainFmt = dns1123LabelFmt + "(\\." + dns1123LabelFmt + ")*"
	dns1123SubdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
)

func regexError(msg, re string, examples ...string) string {
	var b strings.Builder
	b.WriteString(msg)
	b.WriteString(" (e.g. ")
	for i, e := range examples {
		if i > 0 {
			b.WriteString(" or ")
		}
		b.WriteString("'" + e + "', ")
	}
	b.WriteString("regex used for validation is '" + re + "')")
	return b.String()
}

func maxLenError(n int) string { return fmt.Sprintf("must be no more than %d bytes", n) }

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// isQualifiedNamePart reports whether s matches labelKeyFmt (non-empty).
func isQualifiedNamePart(s string) bool {
	if s == "" || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		c := s[i]
		if !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func isDNS1123LabelSyntax(s string) bool {
	if s == "" || !isLowerAlnum(s[0]) || !isLowerAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if !isLowerAlnum(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}

func isDNS1123SubdomainSyntax(s string) bool {
	if s == "" {
		return false
	}
	for part := range strings.SplitSeq(s, ".") {
		if !isDNS1123LabelSyntax(part) {
			return false
		}
	}
	return true
}

// IsDNS1123Subdomain returns the upstream messages for why s is not a
// lowercase RFC 1123 subdomain (at most 253 bytes), or nil if it is one.
func IsDNS1123Subdomain(s string) []string {
	var errs []string
	if len(s) > DNS1123SubdomainMaxLength {
		errs = append(errs, maxLenError(DNS1123SubdomainMaxLength))
	}
	if !isDNS1123SubdomainSyntax(s) {
		errs = append(errs, regexError(dns1123SubdomainMsg, dns1123SubdomainFmt, "example.com"))
	}
	return errs
}

// IsDNS1123Label returns the upstream messages for why s is not a lowercase
// RFC 1123 label (at most 63 bytes), or nil if it is one.
func IsDNS1123Label(s string) []string {
	var errs []string
	if len(s) > DNS1123LabelMaxLength {
		errs = append(errs, maxLenError(DNS1123LabelMaxLength))
	}
	if !isDNS1123LabelSyntax(s) {
		errs = append(errs, regexError(dns1123LabelErrMsg, dns1123LabelFmt, "my-name", "123-abc"))
	}
	return errs
}

// IsQualifiedName returns the upstream messages for why key is not a valid
// label key (an optional DNS-1123 subdomain prefix and "/", then a name of
// 1 to 63 characters), or nil if it is valid. Taint keys, toleration keys and
// annotation keys follow the same rule.
func IsQualifiedName(key string) []string {
	var errs []string
	prefix, name, hasPrefix := strings.Cut(key, "/") // Cut, not Split: no allocation
	switch {
	case !hasPrefix:
		name = prefix
	case !strings.Contains(name, "/"):
		if prefix == "" {
			errs = append(errs, "prefix part must be non-empty")
		} else if msgs := IsDNS1123Subdomain(prefix); len(msgs) != 0 {
			for _, m := range msgs {
				errs = append(errs, "prefix part "+m)
			}
		}
	default:
		return append(errs, "a valid label key "+regexError(labelKeyErrMsg, labelKeyFmt, "MyName", "my.name", "123-abc")+
			" with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")
	}
	if name == "" {
		errs = append(errs, "name part must be non-empty")
	} else if len(name) > LabelKeyNameMaxLength {
		errs = append(errs, "name part "+maxLenError(LabelKeyNameMaxLength))
	}
	if !isQualifiedNamePart(name) {
		errs = append(errs, "name part "+regexError(labelKeyErrMsg, labelKeyFmt, "MyName", "my.name", "123-abc"))
	}
	return errs
}

// IsValidLabelValue returns the upstream messages for why value is not a
// valid label value (empty, or at most 63 characters that start and end with
// an alphanumeric and contain only alphanumerics, '-', '_' and '.'), or nil.
func IsValidLabelValue(value string) []string {
	var errs []string
	if len(value) > LabelValueMaxLength {
		errs = append(errs, maxLenError(LabelValueMaxLength))
	}
	if value != "" && !isQualifiedNamePart(value) {
		errs = append(errs, regexError(labelValueErrMsg, labelValueFmt, "MyValue", "my_value", "12345"))
	}
	return errs
}

// ValidateLabelName returns one Invalid error per problem with the label key.
func ValidateLabelName(key string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range IsQualifiedName(key) {
		errs = append(errs, field.Invalid(p, key, msg))
	}
	return errs
}

// ValidateLabelValue returns one Invalid error per problem with the value.
func ValidateLabelValue(value string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range IsValidLabelValue(value) {
		errs = append(errs, field.Invalid(p, value, msg))
	}
	return errs
}

// ValidateLabels validates every key and value of a label set, in ascending
// key order, as upstream ValidateLabels does (keys at p, values at p).
func ValidateLabels(labels Set, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, k := range labels.sortedKeys() {
		errs = append(errs, ValidateLabelName(k, p)...)
		errs = append(errs, ValidateLabelValue(labels[k], p)...)
	}
	return errs
}

// Package cli holds what the example programs share in talking to their
// users the way kubectl does.
package cli

import (
	"fmt"
	"strings"
)

// FlagError rewords the flag package's errors the way kubectl words its:
// "unknown flag: --nodez", "flag needs an argument: --f", "--nodes:
// \"many\": not a valid value". Other errors are returned as they are.
func FlagError(err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return fmt.Errorf("unknown flag: --%s", strings.TrimPrefix(name, "-"))
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return fmt.Errorf("flag needs an argument: --%s", strings.TrimPrefix(name, "-"))
	}
	if rest, ok := strings.CutPrefix(msg, "invalid value "); ok {
		// invalid value "x" for flag -nodes: parse error
		value, rest, _ := strings.Cut(rest, " for flag -")
		name, why, _ := strings.Cut(rest, ": ")
		why = strings.TrimPrefix(why, "parse error")
		if why == "" {
			why = "not a valid value"
		}
		why = strings.TrimPrefix(why, ": ")
		return fmt.Errorf("--%s: %s: %s", strings.TrimPrefix(name, "-"), value, why)
	}
	return err
}

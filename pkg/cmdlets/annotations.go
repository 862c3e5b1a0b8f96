package cmdlets

import (
	"strconv"

	"github.com/spf13/pflag"
)

// Flag annotations for what a flag's type does not say: the values it
// accepts and its range. The commands' own validation uses the same Go
// values, and cmd/genpsmodule turns the annotations into the PowerShell
// module's ValidateSet and ValidateRange attributes.
const (
	// AnnotationValues lists every accepted value (matched
	// case-insensitively).
	AnnotationValues = "hybridmgmt_values"
	// AnnotationRange is {min, max}, in whole seconds for durations.
	AnnotationRange = "hybridmgmt_range"
)

func annotateValues(fs *pflag.FlagSet, name string, values []string) {
	if err := fs.SetAnnotation(name, AnnotationValues, values); err != nil {
		panic(err) // a programming error: the flag is defined right before
	}
}

func annotateRange(fs *pflag.FlagSet, name string, minimum, maximum int64) {
	if err := fs.SetAnnotation(name, AnnotationRange, []string{strconv.FormatInt(minimum, 10), strconv.FormatInt(maximum, 10)}); err != nil {
		panic(err)
	}
}

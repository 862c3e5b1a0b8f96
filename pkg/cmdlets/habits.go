package cmdlets

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// psOnlyParameters are PowerShell parameter names (ours and Microsoft's
// HybridManagement module's) that are not simply a flag name without its
// dashes; keys are lower case. Every other -Name is matched against the
// command's flags with the dashes removed (-appId -> --app-id).
var psOnlyParameters = map[string]string{
	"credential":            "--username UPN --password-stdin",
	"password":              "--password-stdin with --username (the password on standard input)",
	"clientsecret":          "--client-secret-stdin",
	"certificatepath":       "--certificate",
	"certificatepassword":   "--certificate with the PFX password on standard input",
	"certificatethumbprint": "--certificate (a PEM or PFX file)",
	"timeoutsec":            "--timeout (with a unit, e.g. 10s)",
	"maxdurationsec":        "--max-duration (with a unit, e.g. 5m)",
	"whatif":                "--dry-run",
	"confirm":               "nothing: hybridmgmt never prompts; --dry-run previews a change",
}

// psNameRE is what a PowerShell parameter looks like after its single dash.
// Anything else after one dash is not repeated in messages: it may be a
// secret glued to a short flag (-pS3cret).
var psNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]+$`)

// psReplacement returns the flag that replaces the PowerShell-style
// parameter -name on cmd, if there is one.
func psReplacement(cmd *cobra.Command, name string) (string, bool) {
	if !psNameRE.MatchString(name) {
		return "", false
	}
	key := strings.ToLower(name)
	if r, ok := psOnlyParameters[key]; ok {
		return r, true
	}
	found := ""
	visit := func(fl *pflag.Flag) {
		if found == "" && strings.ReplaceAll(fl.Name, "-", "") == key {
			found = "--" + fl.Name
		}
	}
	cmd.Flags().VisitAll(visit)
	cmd.InheritedFlags().VisitAll(visit)
	return found, found != ""
}

var (
	unknownShorthandRE = regexp.MustCompile(`^unknown shorthand flag: '(.)' in -(.*)$`)
	unknownFlagRE      = regexp.MustCompile(`^unknown flag: --([A-Za-z0-9][-A-Za-z0-9_]*)$`)
)

// habitError answers the parse errors that come from habits (PowerShell's
// single-dash parameters, a misspelt flag) with the replacement, and
// rewrites every other pflag message that would repeat what was typed. It
// returns nil for messages it leaves to flagError.
func habitError(cmd *cobra.Command, msg string) error {
	help := fmt.Sprintf("(see '%s --help')", strings.TrimSpace(cmd.CommandPath()))
	if m := unknownShorthandRE.FindStringSubmatch(msg); m != nil {
		if r, ok := psReplacement(cmd, m[2]); ok {
			return exitcode.Usagef("PowerShell-style parameter -%s: use %s", m[2], r)
		}
		// pflag quotes the whole word, which may be a secret glued to a
		// short flag: name only the letter.
		return exitcode.Usagef("unknown shorthand flag -%s %s", safeRune(m[1]), help)
	}
	if m := unknownFlagRE.FindStringSubmatch(msg); m != nil {
		if s := flagSuggestion(cmd, m[1]); s != "" {
			return exitcode.Usagef("unknown flag: --%s; did you mean --%s? %s", m[1], s, help)
		}
		return nil
	}
	if strings.HasPrefix(msg, "bad flag syntax:") {
		return exitcode.Usagef("bad flag syntax %s", help)
	}
	return nil
}

func safeRune(s string) string {
	if psNameRE.MatchString(s+"x") || (len(s) == 1 && s[0] >= '0' && s[0] <= '9') {
		return s
	}
	return "?"
}

// flagSuggestion is cobra's "did you mean" for flags: the closest flag name
// within two edits (or one that starts with what was typed).
func flagSuggestion(cmd *cobra.Command, typed string) string {
	best, bestD := "", 3
	visit := func(fl *pflag.Flag) {
		if fl.Hidden {
			return
		}
		d := levenshtein(strings.ToLower(typed), fl.Name)
		if strings.HasPrefix(fl.Name, strings.ToLower(typed)) && len(typed) > 2 {
			d = 1
		}
		if d < bestD {
			best, bestD = fl.Name, d
		}
	}
	cmd.Flags().VisitAll(visit)
	cmd.InheritedFlags().VisitAll(visit)
	return best
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// unknownCommand answers an unknown first argument. The argument itself is
// never repeated: after a boolean such as --password-stdin it is the
// secret the user meant to pipe. cobra's suggestions name real commands.
func unknownCommand(root *cobra.Command, arg string) error {
	if sugg := root.SuggestionsFor(arg); len(sugg) > 0 {
		return exitcode.Usagef("unknown command for hybridmgmt; did you mean %s? (see 'hybridmgmt --help')", strings.Join(sugg, " or "))
	}
	return exitcode.Usagef("unknown command for hybridmgmt: the first argument is not a command (see 'hybridmgmt --help')")
}

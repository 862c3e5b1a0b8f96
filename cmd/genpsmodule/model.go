package main

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hybridmgmt/hybridmgmt/pkg/cmdlets"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// The kinds of the parameter -> flag map (module/src/Runtime.ps1 passes
// each kind its own way).
var kindFromFlagType = map[string]string{
	"bool": "switch", "string": "string", "stringArray": "string[]", "stringSlice": "string[]",
	"int": "int", "duration": "seconds",
}

var psTypeOfKind = map[string]string{
	"switch": "switch", "string": "string", "path": "string", "string[]": "string[]", "int": "int", "seconds": "int",
	"stdin": typeSecure, "report": "string",
}

// commonKinds reach the CLI through a common parameter, not one of ours.
var commonKinds = map[string]bool{"verbose": true, "whatif": true, "confirm": true}

type psParam struct {
	Name        string
	Type        string
	Help        string
	Position    int // -1: named only
	Mandatory   bool
	Pipeline    bool
	Aliases     []string
	ValidateSet []string
	Range       []string
	// Secret: the value goes to the binary's stdin.
	Secret bool
	// Sets are the parameter sets the parameter is in (none: every set).
	Sets []setMember
}

type setMember struct {
	Name      string
	Mandatory bool
}

type mapRow struct{ Command, Parameter, Flag, Kind string }

type cmdlet struct {
	cmdletNote
	Params     []psParam
	HasWhatIf  bool
	DefaultSet string // "" when the cmdlet has no parameter sets
}

type model struct {
	Rows    []mapRow
	Cmdlets []cmdlet
}

// problems collects every gap between the tree and the annotations, so one
// run names them all.
type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return errors.New("the command tree and cmd/genpsmodule/annotations.go disagree:\n  " + strings.Join(p, "\n  "))
}

func noteFor(fl map[string]flagNote, command, flag string) (flagNote, bool) {
	if n, ok := fl[command+"/"+flag]; ok {
		return n, true
	}
	n, ok := fl[flag]
	return n, ok
}

// flagTypesOfKind are the cobra flag types an annotated Kind may pass
// (module: any, the module sets the flag itself).
var flagTypesOfKind = map[string][]string{
	"switch": {"bool"}, "string": {"string"}, "path": {"string"}, "string[]": {"stringArray", "stringSlice"},
	"int": {"int"}, "seconds": {"duration"}, "username": {"string"}, "secret": {"bool"},
	"verbose": {"bool"}, "whatif": {"bool"}, "confirm": {"bool"}, "report": {"string"}, "module": nil,
}

func kindOf(f *pflag.Flag, n flagNote) (string, error) {
	if n.Kind != "" {
		// Ifs, not a switch: Go's coverage profile does not see case
		// expressions, and the mutation tool would call them untested.
		types, known := flagTypesOfKind[n.Kind]
		if !known {
			return "", fmt.Errorf("flag --%s has Kind %q, which the runtime does not know", f.Name, n.Kind)
		}
		if types != nil && !slices.Contains(types, f.Value.Type()) {
			return "", fmt.Errorf("flag --%s is a %s, which Kind %s cannot pass (it needs %v)", f.Name, f.Value.Type(), n.Kind, types)
		}
		if n.Kind == "secret" && !strings.HasSuffix(f.Name, "-stdin") {
			return "", fmt.Errorf("flag --%s has Kind secret but is not a *-stdin flag", f.Name)
		}
		return n.Kind, nil
	}
	k, ok := kindFromFlagType[f.Value.Type()]
	if !ok {
		return "", fmt.Errorf("flag --%s is a %s, which the module cannot pass: give it a Kind in flags", f.Name, f.Value.Type())
	}
	return k, nil
}

func buildModel(root *cobra.Command, notes []cmdletNote, fl map[string]flagNote, sets []paramSet) (*model, error) {
	var p problems
	m := &model{}

	// Every global flag is annotated; each becomes '*' rows.
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if f.Name == "help" {
			return
		}
		n, ok := fl[f.Name]
		if !ok {
			p.add("global flag --%s has no annotation: add a flagNote to flags", f.Name)
			return
		}
		kind, err := kindOf(f, n)
		if err != nil {
			p.add("%v", err)
			return
		}
		m.Rows = append(m.Rows, rowsOf("*", f, n, kind)...)
	})

	byCommand := map[string]cmdletNote{}
	for _, n := range notes {
		byCommand[n.Command] = n
	}
	seen := map[string]bool{}
	for _, c := range root.Commands() {
		name := c.Name()
		if _, skip := skipCommands[name]; skip {
			continue
		}
		note, ok := byCommand[name]
		if !ok {
			p.add("command %q has no cmdlet: add a cmdletNote row to cmdletNotes (or a skipCommands entry saying why not)", name)
			continue
		}
		seen[name] = true
		cl := cmdlet{cmdletNote: note}
		// The cmdlet's own flags, in the tree's (sorted) order.
		var own []psParam
		// The mutually exclusive flag groups each parameter's flags are in.
		groups := map[string]map[string]bool{}
		c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
			if f.Name == "help" {
				return
			}
			n, ok := noteFor(fl, name, f.Name)
			if !ok {
				p.add("flag --%s of %s has no annotation: add %q (or %q) to flags", f.Name, name, f.Name, name+"/"+f.Name)
				return
			}
			kind, err := kindOf(f, n)
			if err != nil {
				p.add("%s: %v", name, err)
				return
			}
			m.Rows = append(m.Rows, rowsOf(name, f, n, kind)...)
			if kind == "whatif" {
				cl.HasWhatIf = true
			}
			own = append(own, paramsOf(f, n, kind, note)...)
			for _, g := range f.Annotations[cobraExclusive] {
				if groups[n.Param] == nil {
					groups[n.Param] = map[string]bool{}
				}
				groups[n.Param][g] = true
			}
		})
		var globals []psParam
		for _, g := range note.Globals {
			f := c.Flag(g)
			if f == nil {
				p.add("%s (cmdlet %s) lists global flag --%s, which it does not have", name, note.Name, g)
				continue
			}
			n, ok := noteFor(fl, name, g)
			if !ok {
				continue // reported above
			}
			kind, err := kindOf(f, n)
			if err != nil {
				continue // reported above
			}
			if _, own := fl[name+"/"+g]; own {
				// A global flag this command passes its own way (-AsReport).
				m.Rows = append(m.Rows, rowsOf(name, f, n, kind)...)
			}
			globals = append(globals, paramsOf(f, n, kind, note)...)
		}
		pairCredentials(m.Rows, name, &p)
		cl.Params = arrange(append(own, globals...), note, &p)
		applySets(&cl, groups, sets, &p)
		oneSecret(cl, &p)
		if note.ConfirmImpact == "" && cl.HasWhatIf {
			p.add("%s has --dry-run but cmdlet %s no ConfirmImpact (ShouldProcess)", name, note.Name)
		}
		if len(note.Examples) == 0 {
			p.add("cmdlet %s has no Examples", note.Name)
		}
		if note.TypeName != "" && !hasView(note.TypeName) {
			p.add("cmdlet %s emits %s, which has no view in views", note.Name, note.TypeName)
		}
		m.Cmdlets = append(m.Cmdlets, cl)
	}
	for _, r := range exitcode.Categories {
		for _, c := range []string{r.Default, r.Alternative} {
			if _, ok := categoryExceptions[c]; c != "" && !ok {
				p.add("exit code %d's category %s has no exception type in categoryExceptions", r.ExitCode, c)
			}
		}
	}
	for _, n := range notes {
		if !seen[n.Command] {
			if _, skip := skipCommands[n.Command]; !skip {
				p.add("cmdletNotes row %s runs %q, which is not a hybridmgmt command", n.Name, n.Command)
			}
		}
	}
	return m, p.err()
}

func rowsOf(command string, f *pflag.Flag, n flagNote, kind string) []mapRow {
	if kind == "module" {
		return nil
	}
	rows := []mapRow{{command, n.Param, "--" + f.Name, kind}}
	if n.Companion != "" {
		rows = append(rows, mapRow{command, n.Companion, "", "stdin"})
	}
	return rows
}

// paramsOf turns one flag into its PowerShell parameter(s): none for a
// common parameter, two for a flag with a stdin companion.
func paramsOf(f *pflag.Flag, n flagNote, kind string, note cmdletNote) []psParam {
	if kind == "module" || commonKinds[kind] {
		return nil
	}
	typ := psTypeOfKind[kind]
	if n.Type != "" {
		typ = n.Type
	}
	help := note.ParamHelp[n.Param]
	if help == "" {
		help = n.Help
	}
	if help == "" {
		help = sentence(f.Usage)
		if kind == "seconds" {
			help = strings.TrimSuffix(help, ".") + ", in seconds."
		}
	}
	if d := defaultText(f, kind); d != "" && !strings.Contains(help, "default") {
		help += " Default: " + d + "."
	}
	out := []psParam{{Name: n.Param, Type: typ, Help: help, Position: -1, Secret: kind == "secret"}}
	vs, ok := f.Annotations[cmdlets.AnnotationValues]
	if n.Values != nil {
		vs, ok = n.Values, true
	}
	if ok {
		out[0].ValidateSet = vs
		if !strings.Contains(help, "One of") {
			out[0].Help = strings.TrimSuffix(help, ".") + ". One of: " + strings.Join(vs, ", ") + "."
		}
	}
	if r, ok := f.Annotations[cmdlets.AnnotationRange]; ok && len(r) == 2 {
		out[0].Range = r
	}
	if n.Companion != "" {
		out = append(out, psParam{Name: n.Companion, Type: typeSecure, Help: n.CompanionHelp, Position: -1, Secret: true})
	}
	return out
}

// arrange drops the second row of a two-flag parameter (Credential),
// applies positions, Mandatory, pipeline and aliases, and orders the
// parameters: positional ones first, by position.
func arrange(params []psParam, note cmdletNote, p *problems) []psParam {
	var out []psParam
	index := map[string]int{}
	for _, pp := range params {
		if i, dup := index[pp.Name]; dup {
			out[i].Secret = out[i].Secret || pp.Secret
			continue
		}
		index[pp.Name] = len(out)
		out = append(out, pp)
	}
	need := func(what, name string) int {
		i, ok := index[name]
		if !ok {
			p.add("cmdlet %s: %s names -%s, which none of its flags becomes", note.Name, what, name)
			return -1
		}
		return i
	}
	for pos, name := range note.Positions {
		if i := need("Positions", name); i >= 0 {
			out[i].Position = pos
		}
	}
	for _, name := range note.Mandatory {
		if i := need("Mandatory", name); i >= 0 {
			out[i].Mandatory = true
		}
	}
	if note.Pipeline != "" {
		if i := need("Pipeline", note.Pipeline); i >= 0 {
			out[i].Pipeline = true
		}
	}
	for _, name := range sortedKeys(note.Aliases) {
		if i := need("Aliases", name); i >= 0 {
			out[i].Aliases = note.Aliases[name]
		}
	}
	for _, name := range note.Target {
		need("Target", name)
	}
	for _, name := range sortedKeys(note.ActionIf) {
		need("ActionIf", name)
	}
	sort.SliceStable(out, func(a, b int) bool {
		pa, pb := out[a].Position, out[b].Position
		if pa < 0 || pb < 0 {
			return pa >= 0 && pb < 0
		}
		return pa < pb
	})
	return out
}

func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	s = string(r)
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// defaultText is a flag's default as the parameter takes it ("" = none
// worth saying).
func defaultText(f *pflag.Flag, kind string) string {
	switch kind {
	case "int":
		if f.DefValue != "0" {
			return f.DefValue
		}
	case "seconds":
		if d, err := time.ParseDuration(f.DefValue); err == nil && d > 0 {
			return strconv.FormatInt(int64(d/time.Second), 10)
		}
	}
	return ""
}

func hasView(typeName string) bool {
	for _, v := range views {
		if v.TypeName == typeName {
			return true
		}
	}
	return false
}

// categoryRows is the exit code -> ErrorCategory table, from pkg/exitcode.
func categoryRows() [][3]string {
	var out [][3]string
	for _, r := range exitcode.Categories {
		out = append(out, [3]string{strconv.Itoa(r.ExitCode), r.Default, r.Alternative})
	}
	return out
}

// cobraExclusive is the flag annotation in which cobra's
// MarkFlagsMutuallyExclusive records a flag's groups (spf13/cobra
// flag_groups.go); each value is one group, its flag names joined by spaces.
const cobraExclusive = "cobra_annotation_mutually_exclusive"

// applySets puts a signing-in cmdlet's sign-in parameters into the
// parameter sets of sets, after checking that the sets are well formed
// (one default set, every other set chosen by a parameter of its own) and
// that they allow exactly what the CLI's exclusive flag groups allow.
// groups holds, per parameter, the groups its flags are in; a cmdlet with
// none has no sets.
func applySets(cl *cmdlet, groups map[string]map[string]bool, sets []paramSet, p *problems) {
	if len(groups) == 0 {
		return
	}
	index := map[string]int{}
	for i, pp := range cl.Params {
		index[pp.Name] = i
	}
	member := map[string][]setMember{}
	defaults := 0
	for _, s := range sets {
		if s.Mandatory == "" {
			defaults++
			cl.DefaultSet = s.Name
		} else {
			member[s.Mandatory] = append(member[s.Mandatory], setMember{s.Name, true})
		}
		for _, name := range s.Also {
			member[name] = append(member[name], setMember{s.Name, false})
		}
	}
	if defaults != 1 {
		p.add("signInSets has %d default sets (no Mandatory parameter): it needs exactly one", defaults)
	}
	names := sortedKeys(member)
	for _, name := range names {
		if _, ok := index[name]; !ok {
			p.add("cmdlet %s: signInSets names -%s, which it does not have", cl.Name, name)
		}
	}
	for _, s := range sets {
		var bound []string
		if s.Mandatory != "" {
			bound = []string{s.Mandatory}
		}
		if got, err := resolveSet(sets, bound); got != s.Name {
			p.add("parameter set %s cannot be chosen: %v gives %q (%v)", s.Name, bound, got, err)
		}
	}
	for _, name := range sortedKeys(groups) {
		if len(member[name]) == 0 {
			p.add("cmdlet %s: -%s excludes other sign-in parameters (a mutually exclusive flag group) but is in no parameter set: add it to signInSets", cl.Name, name)
		}
	}
	for _, name := range cl.Mandatory {
		if len(member[name]) > 0 {
			p.add("cmdlet %s: -%s is Mandatory in every set but belongs to sign-in sets only", cl.Name, name)
		}
	}
	shared := func(a, b string) string {
		for _, x := range member[a] {
			for _, y := range member[b] {
				if x.Name == y.Name {
					return x.Name
				}
			}
		}
		return ""
	}
	for i, a := range names {
		for _, b := range names[i+1:] {
			excluded := false
			for g := range groups[a] {
				excluded = excluded || groups[b][g]
			}
			set := shared(a, b)
			if set != "" && excluded {
				p.add("cmdlet %s: -%s and -%s share parameter set %s, but the CLI refuses their flags together", cl.Name, a, b, set)
			}
			if set == "" && !excluded && len(groups[a]) > 0 && len(groups[b]) > 0 {
				p.add("cmdlet %s: -%s and -%s are in no common parameter set, but the CLI takes their flags together", cl.Name, a, b)
			}
		}
	}
	for _, s := range sets {
		var secrets []string
		for _, name := range names {
			if i, ok := index[name]; ok && cl.Params[i].Secret && inSet(member[name], s.Name) {
				secrets = append(secrets, name)
			}
		}
		if len(secrets) > 1 {
			p.add("parameter set %s holds two stdin secrets (%s): only one goes to standard input", s.Name, strings.Join(secrets, ", "))
		}
	}
	for _, name := range names {
		if i, ok := index[name]; ok {
			cl.Params[i].Sets = member[name]
		}
	}
}

func inSet(ms []setMember, set string) bool {
	for _, m := range ms {
		if m.Name == set {
			return true
		}
	}
	return false
}

// resolveSet is the parameter set PowerShell's binder picks when the
// sign-in parameters bound are given (about_Parameter_Sets): the sets that
// have every one of them; of several, the default when nothing narrowed
// them, else those whose Mandatory parameter is bound, else the default if
// it is among them. The generator's checks and tests use it; PowerShell
// itself cannot run here.
func resolveSet(sets []paramSet, bound []string) (string, error) {
	in := func(s paramSet, name string) bool {
		if s.Mandatory == name {
			return true
		}
		for _, a := range s.Also {
			if a == name {
				return true
			}
		}
		return false
	}
	var cands []paramSet
	for _, s := range sets {
		ok := true
		for _, name := range bound {
			ok = ok && in(s, name)
		}
		if ok {
			cands = append(cands, s)
		}
	}
	def := ""
	for _, s := range sets {
		if s.Mandatory == "" {
			def = s.Name
		}
	}
	if len(cands) == 0 {
		return "", fmt.Errorf("no parameter set has all of %v", bound)
	}
	if len(cands) == 1 {
		return cands[0].Name, nil
	}
	if len(cands) == len(sets) && def != "" {
		return def, nil
	}
	var sat []string
	hasDef := false
	for _, s := range cands {
		hasDef = hasDef || s.Name == def
		for _, name := range bound {
			if s.Mandatory == name {
				sat = append(sat, s.Name)
			}
		}
		if s.Mandatory == "" {
			sat = append(sat, s.Name)
		}
	}
	if len(sat) == 1 {
		return sat[0], nil
	}
	if hasDef {
		return def, nil
	}
	return "", fmt.Errorf("parameter set cannot be resolved from %v", bound)
}

// oneSecret: standard input carries one secret, so a cmdlet with several
// secret parameters must keep them in separate parameter sets (applySets
// checks each set); the runtime does not check again.
func oneSecret(cl cmdlet, p *problems) {
	var secrets []string
	unset := false
	for _, pp := range cl.Params {
		if pp.Secret {
			secrets = append(secrets, pp.Name)
			unset = unset || len(pp.Sets) == 0
		}
	}
	if len(secrets) > 1 && unset {
		p.add("cmdlet %s: secrets %s can be given together (not all in parameter sets), but one goes to standard input", cl.Name, strings.Join(secrets, ", "))
	}
}

// pairCredentials: a credential is two rows of one parameter, the user
// name as a flag value and the password on stdin; a username row alone
// would drop the password.
func pairCredentials(rows []mapRow, command string, p *problems) {
	for _, r := range rows {
		if r.Command != command || r.Kind != "username" {
			continue
		}
		paired := false
		for _, s := range rows {
			paired = paired || (s.Command == command && s.Parameter == r.Parameter && s.Kind == "secret")
		}
		if !paired {
			p.add("%s: -%s passes a user name (%s) but no secret row sends its password", command, r.Parameter, r.Flag)
		}
	}
}

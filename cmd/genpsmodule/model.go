package main

import (
	"errors"
	"fmt"
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
}

type mapRow struct{ Command, Parameter, Flag, Kind string }

type cmdlet struct {
	cmdletNote
	Params    []psParam
	HasWhatIf bool
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

func kindOf(f *pflag.Flag, n flagNote) (string, error) {
	if n.Kind != "" {
		return n.Kind, nil
	}
	k, ok := kindFromFlagType[f.Value.Type()]
	if !ok {
		return "", fmt.Errorf("flag --%s is a %s, which the module cannot pass: give it a Kind in flags", f.Name, f.Value.Type())
	}
	return k, nil
}

func buildModel(root *cobra.Command, notes []cmdletNote, fl map[string]flagNote) (*model, error) {
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
		cl.Params = arrange(append(own, globals...), note, &p)
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
	out := []psParam{{Name: n.Param, Type: typ, Help: help, Position: -1}}
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
		out = append(out, psParam{Name: n.Companion, Type: typeSecure, Help: n.CompanionHelp, Position: -1})
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
		if _, dup := index[pp.Name]; dup {
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

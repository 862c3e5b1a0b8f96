package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/cmdlets"
)

var moduleDir = filepath.Join("..", "..", "module")

// The committed module must be what the generator writes; regenerate with
// `go run ./cmd/genpsmodule`.
func TestModuleIsCurrent(t *testing.T) {
	files, err := generate(filepath.Join(moduleDir, "src", "Runtime.ps1"))
	require.NoError(t, err)
	again, err := generate(filepath.Join(moduleDir, "src", "Runtime.ps1"))
	require.NoError(t, err)
	assert.Equal(t, files, again, "the generator is not deterministic")
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(moduleDir, name))
		if assert.NoError(t, err, "missing module/%s: run go run ./cmd/genpsmodule", name) {
			assert.True(t, string(got) == want, "module/%s is stale: run go run ./cmd/genpsmodule", name)
		}
	}
}

func testRoot() *cobra.Command { return cmdlets.NewRootCmd(cmdlets.NewFactory("test")) }

// A command or flag the annotations do not cover stops the generator with
// a message that names it (the way a merged new command or flag shows up).
func TestUnannotatedCommandsAndFlagsAreNamed(t *testing.T) {
	root := testRoot()
	newCmd := &cobra.Command{Use: "test-hybridthing", RunE: func(*cobra.Command, []string) error { return nil }}
	newCmd.Flags().Int("max-idle", 0, "fail unless this many agents are active")
	root.AddCommand(newCmd)
	agent, _, err := root.Find([]string{"get-hybridagent"})
	require.NoError(t, err)
	agent.Flags().Int("max-idle", 0, "fail unless this many agents are active")
	root.PersistentFlags().Bool("no-color", false, "plain output")

	_, err = buildModel(root, cmdletNotes, flags)
	require.Error(t, err)
	msg := err.Error()
	for _, want := range []string{
		`command "test-hybridthing" has no cmdlet`,
		"flag --max-idle of get-hybridagent has no annotation",
		"global flag --no-color has no annotation",
	} {
		assert.Contains(t, msg, want)
	}

	// Annotating them is enough: a row and its help text.
	fl := map[string]flagNote{"max-idle": {Param: "MaxIdle"}, "no-color": {Kind: "module"}}
	for k, v := range flags {
		fl[k] = v
	}
	notes := append(append([]cmdletNote(nil), cmdletNotes...), cmdletNote{
		Command: "test-hybridthing", Name: "Test-HybridThing", Globals: networkGlobals,
		Synopsis: "Tests the agents.", Description: "Runs hybridmgmt test-hybridthing.", Examples: []string{"Test-HybridThing"},
	})
	m, err := buildModel(root, notes, fl)
	require.NoError(t, err)
	psm1 := renderPSM1(m, "")
	assert.Contains(t, psm1, "function Test-HybridThing {")
	assert.Contains(t, psm1, "get-hybridagent,MaxIdle,--max-idle,int")
	assert.Contains(t, psm1, "test-hybridthing,MaxIdle,--max-idle,int")
}

func TestAnnotationMistakesAreNamed(t *testing.T) {
	notes := append([]cmdletNote(nil), cmdletNotes...)
	notes[0].Positions = []string{"NoSuchParameter"}
	notes[0].Examples = nil
	notes = append(notes, cmdletNote{Command: "no-such-command", Name: "Get-Nothing"})
	_, err := buildModel(testRoot(), notes, flags)
	require.Error(t, err)
	for _, want := range []string{"Positions names -NoSuchParameter", "Get-HybridAgent has no Examples", `runs "no-such-command"`} {
		assert.Contains(t, err.Error(), want)
	}
	bad := []view{{TypeName: "X", GoType: views[0].GoType, Columns: []column{{Label: "A", Property: "nope"}}}}
	_, err = renderFormat(bad)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), `shows "nope"`), err.Error())
}

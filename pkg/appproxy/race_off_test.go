//go:build !race

package appproxy

const raceEnabled = false

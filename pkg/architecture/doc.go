// Package architecture holds the project's import rules as a test: which
// package may depend on which, and what the release binary must never
// link. It has no code of its own; see docs/architecture.md.
package architecture

//go:build !race

package auth

// raceEnabled reports that the tests run under the race detector.
const raceEnabled = false

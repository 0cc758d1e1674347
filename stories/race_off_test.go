//go:build !race

package stories

const raceDetector = false

//go:build race

package stories

// raceDetector is on: the dev-set scoring tests (no concurrency of their
// own, ten times slower under the detector) are left to the plain run that
// make test also makes.
const raceDetector = true

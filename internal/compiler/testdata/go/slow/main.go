// A program that never finishes, for the time-out.
package main

import (
	"time"

	"github.com/pyrobuild/pyrobuild/dac"
)

func main() {
	time.Sleep(time.Hour)
	dac.Emit()
}

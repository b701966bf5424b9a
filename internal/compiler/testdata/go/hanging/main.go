// A program that starts a child, writes both their process ids to the file
// $PYROBUILD_TEST_PIDS, and hangs: for the tests of interrupted compilations.
package main

import (
	"os"
	"os/exec"
	"strconv"
	"time"
)

func main() {
	child := exec.Command("sleep", "3600")
	if err := child.Start(); err != nil {
		panic(err)
	}
	out := os.Getenv("PYROBUILD_TEST_PIDS")
	pids := strconv.Itoa(os.Getpid()) + " " + strconv.Itoa(child.Process.Pid)
	if err := os.WriteFile(out+".tmp", []byte(pids), 0o644); err != nil {
		panic(err)
	}
	if err := os.Rename(out+".tmp", out); err != nil {
		panic(err)
	}
	time.Sleep(time.Hour)
}
